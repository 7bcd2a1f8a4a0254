using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MassTransit;
using MySqlConnector;
using Persisters.Bench.Shared;
using Persisters.Contracts;

// Kill-switch latency on one real host process (the built `persisters run`) on MariaDB + RabbitMQ: per run, a new event-rate
// rule (CreateAutoOpsRule to the service, so the OPS persisters connect on demand), its clause brought one goal user short of
// the threshold and settled, then the goal event that crosses it is published; the time from that publish to the webhook's
// arrival at a local HTTP listener (HttpListener on 127.0.0.1), over --runs runs. Run 0 (cold JIT) is reported apart.
// Needs the test servers: scripts/services.sh up mariadb rabbitmq && eval "$(scripts/services.sh env)".
var runs = Option("--runs", 20);
var admin = Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN") ?? throw new InvalidOperationException("PERSISTERS_TEST_MYSQL_ADMIN is not set");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
const string vhost = "persisters-killswitch-bench";
const string dbName = "persisters_killswitch_bench";
const string env = "bench";
const int evaluationUsers = 20; // MinCount 10 goal users, threshold 0.5: the 10th goal user crosses

using var http = new HttpClient { BaseAddress = new Uri(management) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await Admin($"CREATE DATABASE `{dbName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
await http.DeleteAsync($"/api/vhosts/{vhost}");
(await http.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
(await http.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();

// The webhook receiver: records when each trigger's POST arrives, by rule id.
var arrivals = new ConcurrentDictionary<Guid, long>();
var hookPort = FreePort();
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{hookPort}/hook/");
listener.Start();
_ = Task.Run(async () =>
{
    while (listener.IsListening)
    {
        HttpListenerContext context;
        try { context = await listener.GetContextAsync(); } catch (Exception) { return; }
        var at = Stopwatch.GetTimestamp();
        using (var reader = new StreamReader(context.Request.InputStream))
        {
            using var body = JsonDocument.Parse(await reader.ReadToEndAsync());
            arrivals.TryAdd(body.RootElement.GetProperty("ruleId").GetGuid(), at);
        }
        context.Response.StatusCode = 204;
        context.Response.Close();
    }
});

var environment = new Dictionary<string, string>
{
    ["Transport__Kind"] = "RabbitMq",
    ["Transport__RabbitMq__Host"] = rabbitHost,
    ["Transport__RabbitMq__Port"] = rabbitPort.ToString(),
    ["Transport__RabbitMq__VirtualHost"] = vhost,
    ["Transport__RabbitMq__Username"] = "guest",
    ["Transport__RabbitMq__Password"] = "guest",
    ["Database__Provider"] = "MySql",
    ["Database__ConnectionString"] = new MySqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString,
    ["Logging__LogLevel__Default"] = "Warning",
    [$"AutoOps__Webhooks__{env}__Url"] = $"http://127.0.0.1:{hookPort}/hook/",
    [$"AutoOps__Webhooks__{env}__Secret"] = "bench-secret-of-sixteen-plus",
};
var runner = new HostRunner(environment, echo: false);
if (await runner.RunToEndAsync("migrate") is var (exit, output) && exit != 0) throw new InvalidOperationException($"migrate failed:\n{output}");
var (host, port) = runner.Start("run");
await HostRunner.WaitReadyAsync(port);
Console.WriteLine($"host up (pid {host.Id}); {runs} runs");

var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(rabbitHost, rabbitPort, vhost, h => { h.Username("guest"); h.Password("guest"); }));
await bus.StartAsync();
var rules = new Uri("queue:auto-ops-rules");

var latencies = new List<double>();
double cold = 0;
for (var run = 0; run <= runs; run++)
{
    var ruleId = Guid.NewGuid();
    var feature = $"ks-{run}-{ruleId:N}"[..20];
    var clause = new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = evaluationUsers / 2, Threshold = 0.5 };
    var answer = await bus.CreateRequestClient<CreateAutoOpsRule>(rules).GetResponse<AutoOpsCommandAccepted, AutoOpsCommandRejected>(new CreateAutoOpsRule
    {
        RuleId = ruleId, EnvironmentId = env, FeatureId = feature, FeatureVersion = 1, Clauses = [clause],
    });
    if (!answer.Is(out Response<AutoOpsCommandAccepted>? _)) throw new InvalidOperationException($"run {run}: the rule was rejected");
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    for (var i = 0; i < evaluationUsers; i++)
    {
        await bus.Publish(new EvaluationEvent
        {
            Id = $"{feature}-ev-{i}", EnvironmentId = env, Timestamp = now, FeatureId = feature, FeatureVersion = 1, UserId = $"u{i}", VariationId = "B",
            Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
        });
    }
    for (var i = 0; i < evaluationUsers / 2 - 1; i++) await bus.Publish(Goal(feature, i, now));
    // Settled one goal user short of the threshold.
    var settle = Stopwatch.StartNew();
    while (await Scalar($"SELECT COALESCE(SUM(evaluation_count) * 1000 + SUM(ops_event_count), 0) FROM `{dbName}`.ops_count WHERE clause_id = '{clause.ClauseId:D}'")
           != evaluationUsers * 1000 + evaluationUsers / 2 - 1)
    {
        if (settle.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"run {run}: the counts did not settle");
        await Task.Delay(20);
    }

    var sent = Stopwatch.GetTimestamp();
    await bus.Publish(Goal(feature, evaluationUsers / 2 - 1, now));
    long arrived;
    while (!arrivals.TryGetValue(ruleId, out arrived))
    {
        if (Stopwatch.GetElapsedTime(sent) > TimeSpan.FromSeconds(60)) throw new TimeoutException($"run {run}: no webhook within 60 s");
        await Task.Delay(1);
    }
    var latency = Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds;
    if (run == 0) cold = latency;
    else latencies.Add(latency);
    Console.WriteLine($"run {run,2}: crossing goal event published -> webhook arrived {latency,7:F0} ms{(run == 0 ? " (cold, not in the percentiles)" : "")}");
}

latencies.Sort();
Console.WriteLine();
Console.WriteLine($"crossing goal event -> webhook, {latencies.Count} runs: p50 {Percentile(latencies, 0.50):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, " +
                  $"min {latencies[0]:F0} ms, max {latencies[^1]:F0} ms; cold first run {cold:F0} ms");
Console.WriteLine($"triggers: {await Scalar($"SELECT COUNT(*) FROM `{dbName}`.auto_ops_trigger")}, delivered: {await Scalar($"SELECT COUNT(*) FROM `{dbName}`.auto_ops_trigger WHERE webhook_state = 1")}");

await bus.StopAsync();
await HostRunner.StopAsync(host);
listener.Stop();
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await http.DeleteAsync($"/api/vhosts/{vhost}");
return;

GoalEvent Goal(string feature, int user, long now) => new()
{
    Id = $"{feature}-goal-{user}", EnvironmentId = env, Timestamp = now, GoalId = "error", UserId = $"u{user}", SourceId = SourceId.GoServer,
};

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

async Task Admin(string sql)
{
    await using var connection = new MySqlConnection(admin);
    await connection.OpenAsync();
    await using var cmd = new MySqlCommand(sql, connection);
    await cmd.ExecuteNonQueryAsync();
}

async Task<long> Scalar(string sql)
{
    await using var connection = new MySqlConnection(admin);
    await connection.OpenAsync();
    await using var cmd = new MySqlCommand(sql, connection);
    return Convert.ToInt64(await cmd.ExecuteScalarAsync());
}
