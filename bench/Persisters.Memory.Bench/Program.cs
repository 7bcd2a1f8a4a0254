using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using MySqlConnector;
using Persisters.Bench.Shared;
using Persisters.Contracts;
using Persisters.Host.Cli;

// Peak memory of one real host process (`persisters run`, default settings, RabbitMQ + MariaDB) through a burst of
// evaluation events in envelopes, optionally inside a cgroup v1 memory limit (what a container limit does).
//   --events N         events in the burst (100000)
//   --per-message N    events per envelope, 1 = one message per event (100)
//   --mode preload     the whole burst waits in evaluation-events-dwh before the experiment starts (worst case: the
//                      endpoint connects to a full queue); `stream` publishes while the host consumes
//   --limit-mib N      run the host in a memory cgroup with this hard limit (0 = none)
//   --set KEY=VALUE    an extra host setting (environment form), repeatable
//   --kill-switch      also an active auto-ops rule on the flag, so evaluation-events-ops consumes the burst too
//   --host-dll PATH    another build of persisters.dll (e.g. an older commit's, to measure before and after in one sitting)
//   --settle-seconds N with preload, wait N s between loading the queue and starting the experiment (to attach dotnet-counters)
// Prints peak RSS (VmHWM), the cgroup's peak charge and OOM kills, and stored against expected rows.
// Needs the test servers: scripts/services.sh up mariadb rabbitmq && eval "$(scripts/services.sh env)"; root for --limit-mib.
var events = Option("--events", 100_000);
var perMessage = Option("--per-message", 100);
var limitMib = Option("--limit-mib", 0);
var mode = OptionText("--mode", "preload");
var killSwitch = args.Contains("--kill-switch"); // an auto-ops rule on the flag too: the OPS evaluation persister consumes the burst as well
var settle = Option("--settle-seconds", 0); // with preload: wait this long before starting the experiment (to attach a profiler)
var hostDll = OptionText("--host-dll", "");
var admin = Required("PERSISTERS_TEST_MYSQL_ADMIN");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
const string vhost = "persisters-memory-bench";
const string dbName = "persisters_memory_bench";

using var http = new HttpClient { BaseAddress = new Uri(management) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await Admin($"CREATE DATABASE `{dbName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
var connection = new MySqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
await RabbitMqBench.RecreateVirtualHostAsync(http, vhost);

var environment = RabbitMqBench.HostEnvironment(rabbitHost, rabbitPort, vhost, connection);
foreach (var (k, v) in Sets()) environment[k] = v;
var runner = new HostRunner(environment);
if (await runner.RunToEndAsync("migrate") is var (exit, output) && exit != 0) throw new InvalidOperationException($"migrate failed:\n{output}");

using var cgroup = limitMib > 0 ? MemoryCgroup.Create($"persisters-memory-bench-{Environment.ProcessId}", limitMib * 1024L * 1024) : null;
var (host, port) = StartHost();
await HostRunner.WaitReadyAsync(port);
var idle = ProcessMemory.Read(host.Id)!.Value;
var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(rabbitHost, rabbitPort, vhost, h => { h.Username("guest"); h.Password("guest"); }));
await bus.StartAsync();

var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
var experiment = SyntheticTraffic.Experiment("bench", "memory", now);
var traffic = SyntheticTraffic.Create(experiment, events, 0, 0, seed: 1, now);
IReadOnlyList<object> messages = perMessage > 1
    ? traffic.Evaluations.Chunk(perMessage).Select(c => (object)new EvaluationEventBatch { Events = c }).ToList()
    : traffic.Evaluations;
var settingsText = string.Join(' ', Sets().Select(s => $"{s.Key}={s.Value}"));
Console.WriteLine($"host {(hostDll.Length > 0 ? hostDll : "of this build")}");
Console.WriteLine($"cores {Environment.ProcessorCount}; {events:N0} events, {perMessage} per message ({messages.Count:N0} messages), mode {mode}, " +
                  $"memory limit {(limitMib > 0 ? $"{limitMib} MiB (cgroup v1)" : "none")}; host pid {host.Id}, idle RSS {Mib(idle.Rss)} MiB; " +
                  $"settings: {(settingsText.Length > 0 ? settingsText : "defaults")}");

var peakSampled = 0L;
var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        if (ProcessMemory.Read(host.Id) is { } m) peakSampled = Math.Max(peakSampled, m.Rss);
        await Task.Delay(50);
    }
});

var clock = Stopwatch.StartNew();
if (mode == "preload")
{
    await PublishAll(messages);
    while (await QueueDepth("evaluation-events-dwh") < messages.Count || await QueueDepth("evaluation-events-ops") < messages.Count)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("the queue never held the whole burst");
        await Task.Delay(250);
    }
    Console.WriteLine($"burst waiting in evaluation-events-dwh after {clock.Elapsed.TotalSeconds:F1} s ({Mib(await QueueBytes("evaluation-events-dwh"))} MiB of bodies); starting the experiment");
    await Task.Delay(TimeSpan.FromSeconds(settle));
    clock.Restart();
    await StartExperiment();
}
else
{
    await StartExperiment();
    clock.Restart();
    await PublishAll(messages);
}

long rows;
var died = false;
while ((rows = await Count()) < traffic.ExpectedEvaluationRows || (killSwitch && await QueueDepth("evaluation-events-ops") > 0))
{
    if (host.HasExited) { died = true; break; }
    if (clock.Elapsed > TimeSpan.FromMinutes(10)) break;
    await Task.Delay(50);
}
var drained = clock.Elapsed;
await Task.Delay(1000);
rows = await Count();
sampling.Cancel();
await sampler;
var peak = ProcessMemory.Read(host.Id);
Console.WriteLine();
Console.WriteLine("| measure | value |");
Console.WriteLine("|---|---:|");
Console.WriteLine($"| rows stored / expected | {rows:N0} / {traffic.ExpectedEvaluationRows:N0} |");
Console.WriteLine($"| drain time, events/s | {drained.TotalSeconds:F1} s, {rows / drained.TotalSeconds:F0} |");
Console.WriteLine($"| host RSS when ready (idle) | {Mib(idle.Rss)} MiB |");
Console.WriteLine($"| host peak RSS (VmHWM) | {(peak is { } p ? $"{Mib(p.PeakRss)} MiB" : died ? "(host died)" : "?")} |");
Console.WriteLine($"| host peak RSS (sampled every 50 ms) | {Mib(peakSampled)} MiB |");
if (cgroup is not null)
{
    Console.WriteLine($"| cgroup peak charge (RSS + page cache, memory.max_usage_in_bytes) | {Mib(cgroup.MaxUsageBytes)} MiB |");
    Console.WriteLine($"| cgroup limit hits (memory.failcnt) | {cgroup.FailCount} |");
    Console.WriteLine($"| OOM kills in the cgroup | {cgroup.OomKills} |");
}
Console.WriteLine($"| host alive at the end | {(!host.HasExited ? "yes" : $"no, exit code {host.ExitCode}")} |");

await bus.StopAsync();
await HostRunner.StopAsync(host);
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await http.DeleteAsync($"/api/vhosts/{vhost}");
var ok = rows == traffic.ExpectedEvaluationRows && !died && (cgroup?.OomKills ?? 0) == 0;
return ok ? 0 : 1;

// `persisters run` on a free port, inside the cgroup when there is one; its output goes to stderr, prefixed.
(Process Process, int Port) StartHost()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    var freePort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    string[] arguments = [hostDll.Length > 0 ? hostDll : HostRunner.HostDll(), "run"];
    var info = cgroup?.Wrap("dotnet", arguments) ?? new ProcessStartInfo("dotnet", arguments) { UseShellExecute = false };
    info.RedirectStandardOutput = info.RedirectStandardError = true;
    foreach (var (k, v) in environment) info.Environment[k] = v;
    info.Environment["Urls"] = $"http://127.0.0.1:{freePort}";
    var p = Process.Start(info)!;
    p.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  host: {e.Data}"); };
    p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  host: {e.Data}"); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return (p, freePort);
}

async Task StartExperiment()
{
    var response = await bus.CreateRequestClient<CreateExperiment>(new Uri("queue:experiment-lifecycle"), RequestTimeout.After(s: 60))
        .GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new CreateExperiment
        {
            ExperimentId = experiment.ExperimentId, EnvironmentId = experiment.EnvironmentId, Name = experiment.Name, FeatureId = experiment.FeatureId,
            FeatureVersion = experiment.FeatureVersion, VariationIds = experiment.VariationIds, BaselineVariationId = experiment.BaselineVariationId,
            GoalIds = experiment.GoalIds, StartAt = experiment.StartAt, StopAt = experiment.StopAt,
        });
    if (response.Is(out Response<ExperimentCommandRejected>? rejected)) throw new InvalidOperationException($"rejected: {rejected!.Message.Reason}");
    if (!killSwitch) return;
    var rule = await bus.CreateRequestClient<CreateAutoOpsRule>(new Uri("queue:auto-ops-rules"), RequestTimeout.After(s: 60))
        .GetResponse<AutoOpsCommandAccepted, AutoOpsCommandRejected>(new CreateAutoOpsRule
        {
            RuleId = Guid.NewGuid(), EnvironmentId = experiment.EnvironmentId, FeatureId = experiment.FeatureId, FeatureVersion = experiment.FeatureVersion,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = experiment.GoalIds[0], MinCount = 1_000_000, Threshold = 0.99 }],
        });
    if (rule.Is(out Response<AutoOpsCommandRejected>? no)) throw new InvalidOperationException($"rejected: {no!.Message.Reason}");
}

async Task PublishAll(IReadOnlyList<object> items)
{
    foreach (var chunk in items.Chunk(200))
    {
        await Task.WhenAll(chunk.Select(m => bus.Publish(m, m.GetType())));
    }
}

async Task<long> Count()
{
    await using var c = new MySqlConnection(connection);
    await c.OpenAsync();
    return Convert.ToInt64(await new MySqlCommand($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'", c).ExecuteScalarAsync());
}

async Task<long> QueueDepth(string queue)
{
    var response = await http.GetAsync($"/api/queues/{vhost}/{queue}");
    if (!response.IsSuccessStatusCode) return 0;
    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return doc.RootElement.TryGetProperty("messages", out var m) ? m.GetInt64() : 0;
}

async Task<long> QueueBytes(string queue)
{
    using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/queues/{vhost}/{queue}"));
    return doc.RootElement.TryGetProperty("message_bytes", out var m) ? m.GetInt64() : 0;
}

async Task Admin(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}

static long Mib(long bytes) => bytes / (1024 * 1024);

int Option(string name, int fallback) => int.TryParse(OptionText(name, ""), out var v) ? v : fallback;

string OptionText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

IEnumerable<KeyValuePair<string, string>> Sets()
{
    for (var i = 0; i < args.Length - 1; i++)
    {
        if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var k, var v]) yield return new(k, v);
    }
}

static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
    ? v
    : throw new InvalidOperationException($"{name} is not set: scripts/services.sh up mariadb rabbitmq && eval \"$(scripts/services.sh env)\"");
