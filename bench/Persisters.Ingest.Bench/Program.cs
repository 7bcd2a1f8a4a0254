using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using Persisters.Bench.Shared;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Ingest;
using Persisters.Persistence;

// Issue 13, item 6: events/s from HTTP (POST /v1/events, 100 events per request, several connections) to MariaDB rows, against
// the envelope path (EvaluationEventBatch of 100 published straight to RabbitMQ with publisher confirms, as the DWH bench's
// "100 per message" phase and a .NET gateway do) into the same running host, in the same run. Each phase times from its first
// send to the last expected row; p50/p99 request latency of the HTTP phase at that rate.
// Needs the test servers: scripts/services.sh up mariadb rabbitmq && eval "$(scripts/services.sh env)".
var events = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var connections = args.Length > 1 ? int.Parse(args[1]) : 8;
var rounds = args.Length > 2 ? int.Parse(args[2]) : 2;
const int PerRequest = 100;
var admin = Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN") ?? throw new InvalidOperationException("PERSISTERS_TEST_MYSQL_ADMIN is not set");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672";
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
const string vhost = "persisters-ingest-bench";
const string dbName = "persisters_ingest_bench";

await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await Admin($"CREATE DATABASE `{dbName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
var connectionString = new MySqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
await RecreateVirtualHost();
var environment = new Dictionary<string, string>
{
    ["Transport__Kind"] = "RabbitMq", ["Transport__RabbitMq__Host"] = rabbitHost, ["Transport__RabbitMq__Port"] = rabbitPort,
    ["Transport__RabbitMq__VirtualHost"] = vhost, ["Transport__RabbitMq__Username"] = "guest", ["Transport__RabbitMq__Password"] = "guest",
    ["Transport__RabbitMq__ManagementUrl"] = management,
    ["Database__Provider"] = "MySql", ["Database__ConnectionString"] = connectionString, ["Database__MigrateOnStart"] = "true",
    ["Persisters__OnDemand"] = "false", ["Calculator__Enabled"] = "false",
    ["Ingest__RequestsPerSecondPerKey"] = "1000000", ["Ingest__BurstPerKey"] = "1000000",
    ["Logging__LogLevel__Default"] = "Warning",
};
var runner = new HostRunner(environment);
var (created, keyOutput) = await runner.RunToEndAsync("keys", "create", "--name", "bench", "--environment", "bench");
if (created != 0) throw new InvalidOperationException(keyOutput);
var key = keyOutput.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));

var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
var store = new ServiceCollection().AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
    .AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString }).BuildServiceProvider()
    .GetRequiredService<DefinitionStore>();
Console.WriteLine($"cores {Environment.ProcessorCount}; {events} evaluation events per phase, {PerRequest} per request/message, {connections} connections; " +
                  $"MariaDB {await Scalar("SELECT VERSION()")}; RabbitMQ {rabbitHost}:{rabbitPort}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

var (host, port) = runner.Start("run");
var results = new List<(string Phase, double Rate, double[]? Latencies)>();
try
{
    await HostRunner.WaitReadyAsync(port);
    var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(rabbitHost, ushort.Parse(rabbitPort), vhost, h =>
    {
        h.Username("guest");
        h.Password("guest");
    }));
    await bus.StartAsync();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
    var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
    for (var round = 1; round <= rounds; round++)
    {
        // Envelopes straight to the broker.
        var envelopeRun = await Traffic($"env{round}");
        var envelopes = envelopeRun.Traffic.Evaluations.Chunk(PerRequest).Select(c => new EvaluationEventBatch { Events = c }).ToList();
        var envelopeRate = await TimedAsync(envelopeRun, async () =>
        {
            await Parallel.ForEachAsync(envelopes, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (e, ct) => await bus.Publish(e, ct));
            return null;
        });
        results.Add(($"envelopes of {PerRequest} published to RabbitMQ, round {round}", envelopeRate.Rate, null));

        // The same kind of events over HTTP.
        var httpRun = await Traffic($"http{round}");
        var bodies = httpRun.Traffic.Evaluations.Chunk(PerRequest).Select(c => JsonSerializer.Serialize(new { evaluationEvents = c }, json)).ToList();
        var httpRate = await TimedAsync(httpRun, async () =>
        {
            var latencies = new ConcurrentBag<double>();
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (body, ct) =>
            {
                var clock = Stopwatch.StartNew();
                using var request = new HttpRequestMessage(HttpMethod.Post, EventsEndpoint.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("Authorization", key);
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            });
            return [.. latencies.Order()];
        });
        results.Add(($"POST /v1/events ({PerRequest} per request) to the host, round {round}", httpRate.Rate, httpRate.Latencies));
    }
    await bus.StopAsync();
}
finally
{
    await HostRunner.StopAsync(host);
}

Console.WriteLine();
Console.WriteLine("| path (HTTP or broker → host → MariaDB rows) | events/s | request p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (phase, rate, latencies) in results)
{
    Console.WriteLine(latencies is null
        ? $"| {phase} | {rate:F0} | | | |"
        : $"| {phase} | {rate:F0} | {Percentile(latencies, 0.50):F0} | {Percentile(latencies, 0.99):F0} | {latencies[^1]:F0} |");
}
var envelopeRates = results.Where(r => r.Latencies is null).Select(r => r.Rate).ToList();
var httpRates = results.Where(r => r.Latencies is not null).Select(r => r.Rate).ToList();
Console.WriteLine();
Console.WriteLine($"HTTP / envelopes (mean of {rounds} rounds) = {httpRates.Average() / envelopeRates.Average():F2}   (target ≥ 0.8)");
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
return 0;

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

// A fresh experiment (own flag) so each phase counts only its own rows.
async Task<(SyntheticTraffic Traffic, string Feature)> Traffic(string run)
{
    var experiment = SyntheticTraffic.Experiment("bench", run, now);
    await store.UpsertExperimentAsync(experiment, now, CancellationToken.None);
    await Task.Delay(TimeSpan.FromSeconds(6)); // the host's definitions copy (DefinitionsRefreshInterval 5 s)
    return (SyntheticTraffic.Create(experiment, events, 0, 0, seed: run.GetHashCode(), now), experiment.FeatureId);
}

async Task<(double Rate, double[]? Latencies)> TimedAsync((SyntheticTraffic Traffic, string Feature) run, Func<Task<double[]?>> send)
{
    var clock = Stopwatch.StartNew();
    var latencies = await send();
    while (await Count($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{run.Feature}'") < run.Traffic.ExpectedEvaluationRows)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("rows did not arrive within 10 minutes");
        await Task.Delay(20);
    }
    return (run.Traffic.ExpectedEvaluationRows / clock.Elapsed.TotalSeconds, latencies);
}

async Task Admin(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}

async Task<object?> Scalar(string sql)
{
    await using var c = new MySqlConnection(connectionString);
    await c.OpenAsync();
    return await new MySqlCommand(sql, c).ExecuteScalarAsync();
}

async Task<long> Count(string sql) => Convert.ToInt64(await Scalar(sql));

async Task RecreateVirtualHost()
{
    using var client = new HttpClient { BaseAddress = new Uri(management) };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
    await client.DeleteAsync($"/api/vhosts/{vhost}");
    (await client.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
    (await client.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
}
