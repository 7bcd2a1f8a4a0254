// Scheduler bench: two scheduler hosts (TestHost processes: RabbitMQ + clustered Quartz store in MariaDB) and one
// client that sends ScheduleMessage commands to their scheduler queue.
//
//   dotnet run -c Release --project bench/Persisters.Scheduling.Bench -- [--count 3000] [--spread-s 30] [--lead-s 20]
//
// Reads PERSISTERS_TEST_MYSQL_ADMIN, PERSISTERS_TEST_RABBITMQ_HOST/PORT (eval "$(scripts/services.sh env)").
//   accepted/s : schedules stored in qrtz_TRIGGERS per second, from the first send until the last one is stored
//                (both hosts consume the scheduler queue)
//   firing lag : time the Ping consumer records it (delivered_at) minus the time it was scheduled for, over all
//                messages, which fall due evenly over --spread-s seconds starting --lead-s seconds after the start.
// Uses a throw-away database and queue names; drops / deletes them at the end.

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using Persisters.Scheduling;
using Persisters.Scheduling.TestHost;

var count = IntArg("count", 3000);
var spread = TimeSpan.FromSeconds(IntArg("spread-s", 30));
var lead = TimeSpan.FromSeconds(IntArg("lead-s", 20));
var threads = IntArg("threads", 10);
var concurrency = IntArg("concurrency", 16);

var admin = Env("PERSISTERS_TEST_MYSQL_ADMIN");
var rabbitHost = Env("PERSISTERS_TEST_RABBITMQ_HOST");
var rabbitPort = ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
var suffix = Guid.NewGuid().ToString("N")[..8];
var database = "schedbench_" + suffix;
var schedulerQueue = "sched-bench-" + suffix;
var targetQueue = "pings-bench-" + suffix;

await Sql(admin, $"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
var connectionString = new MySqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
var hosts = new List<Process>();
ServiceProvider? client = null;
try
{
    foreach (var statement in QuartzSchema.CreateStatements(QuartzSchema.MySql))
        await Sql(connectionString, statement);

    foreach (var name in new[] { "bench-a", "bench-b" })
        hosts.Add(StartHost(name));
    foreach (var host in hosts)
        await WaitReady(host, TimeSpan.FromSeconds(60));

    var services = new ServiceCollection();
    services.AddMassTransit(x =>
    {
        x.AddMessageScheduler(new Uri($"queue:{schedulerQueue}"));
        x.UsingRabbitMq((_, cfg) => cfg.Host(rabbitHost, rabbitPort, "/", h =>
        {
            h.Username("guest");
            h.Password("guest");
        }));
    });
    client = services.BuildServiceProvider();
    await client.GetRequiredService<IBusControl>().StartAsync();
    var scheduler = client.CreateScope().ServiceProvider.GetRequiredService<IMessageScheduler>();
    var target = new Uri($"queue:{targetQueue}");

    Console.WriteLine($"scheduling {count} messages due evenly over {spread.TotalSeconds:F0} s from +{lead.TotalSeconds:F0} s; 2 hosts, {threads} Quartz threads each");
    var start = DateTime.UtcNow;
    var first = start + lead;
    var stopwatch = Stopwatch.StartNew();
    var sends = new List<Task>();
    for (var i = 0; i < count; i++)
    {
        var at = first + spread * i / count;
        sends.Add(scheduler.ScheduleSend(target, at, new Ping(Guid.NewGuid(), i)));
        if (sends.Count >= 200)
        {
            await Task.WhenAll(sends);
            sends.Clear();
        }
    }

    await Task.WhenAll(sends);
    var sent = stopwatch.Elapsed;

    long stored;
    while ((stored = await Scalar(connectionString, "SELECT COUNT(*) FROM qrtz_TRIGGERS WHERE TRIGGER_GROUP = 'message'")) +
           await Deliveries(connectionString) < count)
    {
        if (stopwatch.Elapsed > lead + spread)
            throw new TimeoutException($"only {stored} schedules stored");
        await Task.Delay(20);
    }

    var accepted = stopwatch.Elapsed;
    Console.WriteLine($"sent {count} ScheduleMessage in {sent.TotalSeconds:F2} s; all stored after {accepted.TotalSeconds:F2} s");
    if (accepted > lead)
        Console.WriteLine("warning: acceptance took longer than the lead time; firing lag includes acceptance");

    var deadline = first + spread + TimeSpan.FromSeconds(60);
    while (await Deliveries(connectionString) < count && DateTime.UtcNow < deadline)
        await Task.Delay(250);
    await Task.Delay(2000);

    var lags = new List<double>();
    var duplicates = 0;
    await using (var connection = new MySqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT TIMESTAMPDIFF(MICROSECOND, scheduled_at, delivered_at), deliveries FROM deliveries";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lags.Add(reader.GetInt64(0) / 1000.0);
            if (reader.GetInt32(1) > 1)
                duplicates++;
        }
    }

    lags.Sort();
    double P(double q) => lags.Count == 0 ? double.NaN : lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)];
    Console.WriteLine();
    Console.WriteLine($"| schedules | accepted/s | delivered | duplicates | lag p50 ms | lag p99 ms | lag max ms |");
    Console.WriteLine($"|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {count} | {count / accepted.TotalSeconds:F0} | {lags.Count} | {duplicates} | {P(0.50):F0} | {P(0.99):F0} | {P(1.0):F0} |");
    return lags.Count == count && duplicates == 0 ? 0 : 1;
}
finally
{
    if (client != null)
    {
        await client.GetRequiredService<IBusControl>().StopAsync();
        await client.DisposeAsync();
    }

    foreach (var host in hosts)
    {
        if (!host.HasExited)
            host.Kill();
        host.WaitForExit(10_000);
    }

    await Sql(admin, $"DROP DATABASE IF EXISTS `{database}`");
    await DeleteQueues(schedulerQueue, targetQueue);
}

Process StartHost(string name)
{
    var dll = TestHostDll();
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[]
             {
                 dll, "--name", name, "--mysql", connectionString, "--rabbit-host", rabbitHost, "--rabbit-port", rabbitPort.ToString(),
                 "--scheduler-queue", schedulerQueue, "--target-queue", targetQueue, "--instance", "bench-" + suffix, "--threads",
                 threads.ToString(), "--batch", threads.ToString(), "--concurrency", concurrency.ToString(),
             })
        info.ArgumentList.Add(a);
    var process = Process.Start(info)!;
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data != null && (e.Data.Contains(" Error ") || e.Data.Contains(" Critical ")))
            Console.Error.WriteLine(e.Data);
    };
    process.BeginErrorReadLine();
    return process;
}

static async Task WaitReady(Process process, TimeSpan timeout)
{
    var read = Task.Run(async () =>
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("READY", StringComparison.Ordinal))
                return true;
        return false;
    });
    if (await Task.WhenAny(read, Task.Delay(timeout)) != read || !await read)
        throw new InvalidOperationException("a scheduler host did not start");
    _ = Task.Run(async () =>
    {
        while (await process.StandardOutput.ReadLineAsync() != null)
        {
        }
    });
}

static string TestHostDll()
{
    var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var tfm = baseDir.Name;
    var configuration = baseDir.Parent!.Name;
    var root = baseDir.Parent.Parent!.Parent!.Parent!.Parent!.FullName; // …/bench/<project>/bin/<cfg>/<tfm>
    var dll = Path.Combine(root, "tests", "Persisters.Scheduling.TestHost", "bin", configuration, tfm, "Persisters.Scheduling.TestHost.dll");
    return File.Exists(dll) ? dll : throw new FileNotFoundException("TestHost not built", dll);
}

static async Task Sql(string connectionString, string sql)
{
    await using var connection = new MySqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}

static async Task<long> Scalar(string connectionString, string sql)
{
    await using var connection = new MySqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    return Convert.ToInt64(await command.ExecuteScalarAsync());
}

static async Task<long> Deliveries(string connectionString)
{
    try
    {
        return await Scalar(connectionString, "SELECT COUNT(*) FROM deliveries");
    }
    catch (MySqlException)
    {
        return 0;
    }
}

static async Task DeleteQueues(params string[] names)
{
    var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT");
    if (string.IsNullOrEmpty(management))
        return;
    using var http = new HttpClient { BaseAddress = new Uri(management), Timeout = TimeSpan.FromSeconds(5) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
    foreach (var name in names.SelectMany(n => new[] { n, n + "_error", n + "_skipped" }))
    {
        try
        {
            await http.DeleteAsync($"api/queues/%2F/{Uri.EscapeDataString(name)}");
            await http.DeleteAsync($"api/exchanges/%2F/{Uri.EscapeDataString(name)}");
        }
        catch (Exception)
        {
            // best effort
        }
    }
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

static string Env(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{name} is not set: eval \"$(scripts/services.sh env)\"");

namespace Persisters.Scheduling.TestHost
{
    /// <summary>The TestHost's message contract (same namespace and name, so the same message type URN).</summary>
    public record Ping(Guid Id, int Sequence);
}
