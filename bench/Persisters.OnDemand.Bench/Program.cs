using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using MySqlConnector;
using Persisters.Bench.Shared;
using Persisters.Contracts;

// On-demand persisters, measured on one real host process (the built `persisters run`) on MariaDB + RabbitMQ:
//  1. latency: the StartExperiment command is sent while SDK-like traffic (one evaluation event every 20 ms) flows;
//     time from the command to the first persisted row, over --runs runs; each run starts from idle (no consumers);
//  2. idle cost: with nothing live, every statement the host sends to MariaDB (general log, by statement) and every
//     frame it sends to RabbitMQ (management API) over --idle-minutes, plus the consumers on the four persister queues.
// Needs the test servers: scripts/services.sh up mariadb rabbitmq && eval "$(scripts/services.sh env)".
var runs = Option("--runs", 20);
var idleMinutes = Option("--idle-minutes", 5); // one whole calculator cycle (every 5 min) falls inside
var admin = Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN") ?? throw new InvalidOperationException("PERSISTERS_TEST_MYSQL_ADMIN is not set");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
const string vhost = "persisters-ondemand-bench";
const string dbName = "persisters_ondemand_bench";
string[] persisterQueues = ["evaluation-events-dwh", "goal-events-dwh", "evaluation-events-ops", "goal-events-ops"];

using var http = new HttpClient { BaseAddress = new Uri(management) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));

// A database of the host's own: the general log is read for the connections on it only.
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await Admin($"CREATE DATABASE `{dbName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
var hostConnection = new MySqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
var benchConnection = admin; // no default database: its connections never count as the host's
await RabbitMqBench.RecreateVirtualHostAsync(http, vhost);

var environment = RabbitMqBench.HostEnvironment(rabbitHost, rabbitPort, vhost, hostConnection);
var runner = new HostRunner(environment);
if (await runner.RunToEndAsync("migrate") is var (exit, output) && exit != 0) throw new InvalidOperationException($"migrate failed:\n{output}");

var (host, port) = runner.Start("run");
await HostRunner.WaitReadyAsync(port);
Console.WriteLine($"host up (pid {host.Id}); {runs} runs, then {idleMinutes} idle minute(s)");

var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(rabbitHost, rabbitPort, vhost, h => { h.Username("guest"); h.Password("guest"); }));
await bus.StartAsync();
var lifecycle = new Uri("queue:experiment-lifecycle");

// 1. Latency from the start command to the first persisted event.
// Run 0 is the first after the host started (cold: JIT of the consume and write paths); it is reported on its own.
var latencies = new List<double>();
var toIdle = new List<double>();
double cold = 0;
for (var run = 0; run <= runs; run++)
{
    await WaitForConsumers(0, TimeSpan.FromSeconds(60));
    var id = Guid.NewGuid();
    var feature = $"ondemand-{run}-{id:N}"[..24];
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    await Expect(bus.CreateRequestClient<CreateExperiment>(lifecycle).GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new CreateExperiment
    {
        ExperimentId = id, EnvironmentId = "bench", Name = feature, FeatureId = feature, FeatureVersion = 1, VariationIds = ["A", "B"],
        BaselineVariationId = "A", GoalIds = ["g"], StartAt = now + 3600, StopAt = now + 86_400,
    }));
    await Task.Delay(200);

    using var traffic = new CancellationTokenSource();
    var clock = Stopwatch.StartNew();
    var answer = bus.CreateRequestClient<StartExperiment>(lifecycle).GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new StartExperiment { ExperimentId = id });
    var sender = Task.Run(async () =>
    {
        var i = 0;
        while (!traffic.IsCancellationRequested)
        {
            await bus.Publish(new EvaluationEvent
            {
                Id = $"{feature}-{i++}", EnvironmentId = "bench", Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), FeatureId = feature, FeatureVersion = 1,
                UserId = $"u{i % 50}", VariationId = i % 2 == 0 ? "A" : "B", Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
            });
            await Task.Delay(20);
        }
    });
    await Expect(answer);
    while (await Scalar($"SELECT COUNT(*) FROM `{dbName}`.evaluation_event WHERE feature_id = '{feature}'") == 0)
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"run {run}: nothing persisted within 60 s");
        await Task.Delay(5);
    }
    var latency = clock.Elapsed.TotalMilliseconds;
    if (run == 0) cold = latency;
    else latencies.Add(latency);
    traffic.Cancel();
    await sender;

    var stopClock = Stopwatch.StartNew();
    await Expect(bus.CreateRequestClient<ForceStopExperiment>(lifecycle).GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new ForceStopExperiment { ExperimentId = id }));
    await WaitForConsumers(0, TimeSpan.FromSeconds(60));
    if (run > 0) toIdle.Add(stopClock.Elapsed.TotalMilliseconds);
    Console.WriteLine($"run {run,2}: start -> first persisted {latency,7:F0} ms; force-stop -> 0 consumers {stopClock.Elapsed.TotalMilliseconds,7:F0} ms{(run == 0 ? " (cold, not in the percentiles)" : "")}");
}

// 2. Idle: nothing live. Let the last demand change settle, then log everything the host says.
await Task.Delay(TimeSpan.FromSeconds(5));
await Admin("SET GLOBAL log_output = 'TABLE'");
await Admin("TRUNCATE TABLE mysql.general_log");
var brokerBefore = await HostConnectionStats();
var vhostBefore = await VhostMessageStats();
var hostThreadsAtStart = (await Rows($"SELECT 'thread', CAST(ID AS CHAR), ID FROM information_schema.PROCESSLIST WHERE DB = '{dbName}'")).Select(r => r.Count).ToList();
await Admin("SET GLOBAL general_log = 1");
var idleClock = Stopwatch.StartNew();
var maxConsumers = 0;
while (idleClock.Elapsed < TimeSpan.FromMinutes(idleMinutes))
{
    maxConsumers = Math.Max(maxConsumers, (await PersisterConsumers()).Values.Sum());
    await Task.Delay(TimeSpan.FromSeconds(5));
}
await Admin("SET GLOBAL general_log = 0");
var minutes = idleClock.Elapsed.TotalMinutes;
var brokerAfter = await HostConnectionStats();
var vhostAfter = await VhostMessageStats();
// The host's connections: those open on its database when the log started, and those opened on it since.
var hostThreads = string.Join(",", hostThreadsAtStart.Append(-1));
var statements = await Rows(
    $"SELECT command_type, LEFT(REGEXP_REPLACE(argument, '[0-9]+', 'N'), 90) AS s, COUNT(*) AS n FROM mysql.general_log " +
    $"WHERE (thread_id IN ({hostThreads}) OR thread_id IN (SELECT thread_id FROM mysql.general_log WHERE command_type = 'Connect' AND argument LIKE '%{dbName}%')) " +
    "AND command_type NOT IN ('Connect', 'Quit') GROUP BY command_type, s ORDER BY n DESC");
var connects = await Scalar($"SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Connect' AND argument LIKE '%{dbName}%'");
await Admin("TRUNCATE TABLE mysql.general_log");

Console.WriteLine();
latencies.Sort();
toIdle.Sort();
Console.WriteLine($"## Start command -> first persisted event ({runs} runs, one host)");
Console.WriteLine($"p50 {Percentile(latencies, 0.50):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, min {latencies[0]:F0} ms, max {latencies[^1]:F0} ms; the first run after host start (cold): {cold:F0} ms");
Console.WriteLine($"force-stop -> 0 consumers on the broker: p50 {Percentile(toIdle, 0.50):F0} ms, max {toIdle[^1]:F0} ms");
Console.WriteLine();
Console.WriteLine($"## Idle host, {minutes:F1} min, nothing live");
Console.WriteLine($"consumers on the four persister queues: max {maxConsumers} (sampled every 5 s)");
var total = statements.Sum(s => s.Count);
Console.WriteLine($"database: {total} commands = {total / minutes:F1}/min ({connects} new connections)");
foreach (var s in statements) Console.WriteLine($"  {s.Count / minutes,6:F2}/min  {s.Command,-8} {s.Statement}");
Console.WriteLine($"broker: {(brokerAfter.Received - brokerBefore.Received) / minutes:F1} frames/min from the host (heartbeats included), " +
                  $"{(brokerAfter.Sent - brokerBefore.Sent) / minutes:F1} frames/min to it; messages published in the vhost {(vhostAfter.Published - vhostBefore.Published) / minutes:F1}/min, " +
                  $"delivered {(vhostAfter.Delivered - vhostBefore.Delivered) / minutes:F1}/min");

await bus.StopAsync();
await HostRunner.StopAsync(host);
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await http.DeleteAsync($"/api/vhosts/{vhost}");
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static async Task Expect(Task<Response<ExperimentCommandAccepted, ExperimentCommandRejected>> request)
{
    var response = await request;
    if (response.Is(out Response<ExperimentCommandRejected>? rejected)) throw new InvalidOperationException($"rejected: {rejected!.Message.Reason}");
}

async Task Admin(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}

async Task<long> Scalar(string sql)
{
    await using var c = new MySqlConnection(benchConnection);
    await c.OpenAsync();
    return Convert.ToInt64(await new MySqlCommand(sql, c).ExecuteScalarAsync());
}

async Task<List<(string Command, string Statement, long Count)>> Rows(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await using var reader = await new MySqlCommand(sql, c).ExecuteReaderAsync();
    var rows = new List<(string, string, long)>();
    while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetInt64(2)));
    return rows;
}

async Task<Dictionary<string, int>> PersisterConsumers()
{
    using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/consumers/{vhost}"));
    return doc.RootElement.EnumerateArray().Select(c => c.GetProperty("queue").GetProperty("name").GetString()!)
        .Where(persisterQueues.Contains).GroupBy(q => q).ToDictionary(g => g.Key, g => g.Count());
}

async Task WaitForConsumers(int expected, TimeSpan patience)
{
    var deadline = DateTime.UtcNow + patience;
    while ((await PersisterConsumers()).Values.Sum() != expected)
    {
        if (DateTime.UtcNow > deadline) throw new TimeoutException($"the persister queues never had {expected} consumers");
        await Task.Delay(20);
    }
}

// Frames the broker received from / sent to the host's connections (the management API updates these every few seconds).
async Task<(long Received, long Sent)> HostConnectionStats()
{
    using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/vhosts/{vhost}/connections"));
    long received = 0, sent = 0;
    foreach (var c in doc.RootElement.EnumerateArray())
    {
        received += c.TryGetProperty("recv_cnt", out var r) ? r.GetInt64() : 0;
        sent += c.TryGetProperty("send_cnt", out var s) ? s.GetInt64() : 0;
    }
    // The bench's own publisher connection is idle as well; it adds its heartbeats (about as many as the host's).
    return (received, sent);
}

async Task<(long Published, long Delivered)> VhostMessageStats()
{
    using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/vhosts/{vhost}"));
    if (!doc.RootElement.TryGetProperty("message_stats", out var m)) return (0, 0);
    return (m.TryGetProperty("publish", out var p) ? p.GetInt64() : 0, m.TryGetProperty("deliver_get", out var d) ? d.GetInt64() : 0);
}
