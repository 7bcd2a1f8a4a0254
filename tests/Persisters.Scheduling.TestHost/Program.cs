// A tiny host for the two-process scheduler tests and the bench: MassTransit on RabbitMQ with the durable scheduler
// (clustered Quartz store in MariaDB), plus a consumer that records every delivery of a Ping in MariaDB.
//
//   dotnet Persisters.Scheduling.TestHost.dll --mysql "<connection string with Database=…>" --rabbit-host 127.0.0.1
//       [--rabbit-port 5672] [--scheduler-queue scheduler] [--target-queue pings] [--name host-a]
//       [--checkin-ms 1000] [--threads 10] [--batch 10] [--no-consumer]
//
// Prints "READY <name>" when the bus is up and Quartz fires, then runs until SIGTERM/SIGINT (graceful) or SIGKILL.
// Deliveries go to the table `deliveries` (created if missing): one row per Ping, keyed by MessageId and by the Ping's
// id, with a counter that a duplicate delivery increments.

using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Persisters.Scheduling;
using Persisters.Scheduling.TestHost;

var arguments = Arguments.Parse(args);
var mysql = arguments.Required("mysql");
var name = arguments.Get("name") ?? $"host-{Environment.ProcessId}";
var targetQueue = arguments.Get("target-queue") ?? "pings";
var consume = !arguments.Has("no-consumer");

var options = new SchedulerOptions
{
    Store = SchedulerStore.Database,
    Provider = SchedulerDatabaseProvider.MySql,
    ConnectionString = mysql,
    InstanceName = arguments.Get("instance") ?? "persisters-test",
    QueueName = arguments.Get("scheduler-queue") ?? "scheduler",
    ClusterCheckinInterval = TimeSpan.FromMilliseconds(int.Parse(arguments.Get("checkin-ms") ?? "1000")),
    ClusterCheckinMisfireThreshold = TimeSpan.FromMilliseconds(int.Parse(arguments.Get("checkin-ms") ?? "1000")),
    MisfireThreshold = TimeSpan.FromSeconds(2),
    IdleWaitTime = TimeSpan.FromSeconds(1),
    ThreadCount = int.Parse(arguments.Get("threads") ?? "10"),
    MaxBatchSize = int.Parse(arguments.Get("batch") ?? "10"),
    ConcurrentMessageLimit = int.Parse(arguments.Get("concurrency") ?? "16"),
    PrefetchCount = 2 * int.Parse(arguments.Get("concurrency") ?? "16"),
};
options.Validate();

await DeliveryTable.Ensure(mysql);

var services = new ServiceCollection();
services.AddLogging(l => l.AddProvider(new StderrLoggerProvider(name)).SetMinimumLevel(LogLevel.Warning).AddFilter("Persisters", LogLevel.Information));
services.AddSingleton(new HostIdentity(name, mysql));
services.AddMassTransit(x =>
{
    x.AddDurableMessageScheduler(options);
    if (consume)
        x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = targetQueue);

    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(arguments.Get("rabbit-host") ?? "127.0.0.1", ushort.Parse(arguments.Get("rabbit-port") ?? "5672"), "/", h =>
        {
            h.Username(arguments.Get("rabbit-user") ?? "guest");
            h.Password(arguments.Get("rabbit-password") ?? "guest");
        });
        cfg.UseDurableMessageScheduler(context);
        cfg.ConfigureEndpoints(context);
    });
});

await using var provider = services.BuildServiceProvider();
var bus = provider.GetRequiredService<IBusControl>();
var logger = provider.GetRequiredService<ILogger<Program>>();

var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};

await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
var host = provider.GetRequiredService<DurableSchedulerHost>();
var deadline = DateTime.UtcNow.AddSeconds(30);
while (!host.IsFiring && DateTime.UtcNow < deadline)
    await Task.Delay(50);
if (!host.IsFiring)
{
    Console.Error.WriteLine("scheduler did not start");
    return 2;
}

Console.WriteLine($"READY {name}");
logger.LogWarning("{Name} ready", name);

await stop.Task;
Console.WriteLine($"STOPPING {name}");
await bus.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
Console.WriteLine($"STOPPED {name}");
return 0;

namespace Persisters.Scheduling.TestHost
{
    /// <summary>The message the tests schedule. The tests declare the same contract (same namespace and name).</summary>
    public record Ping(Guid Id, int Sequence);

    public sealed record HostIdentity(string Name, string ConnectionString);

    public sealed class PingConsumer(HostIdentity identity) : IConsumer<Ping>
    {
        public async Task Consume(ConsumeContext<Ping> context)
        {
            var scheduled = context.Headers.Get<string>(MessageHeaders.Quartz.Scheduled);
            await using var connection = new MySqlConnection(identity.ConnectionString);
            await connection.OpenAsync(context.CancellationToken);
            await using var command = connection.CreateCommand();
            // A negative sequence marks a recurring Ping: the same payload every occurrence, one row per occurrence
            // (its MessageId is derived from the occurrence), so a second firing of one occurrence shows up as a count.
            command.CommandText = context.Message.Sequence < 0
                ? "INSERT INTO recurring_deliveries (message_id, ping_id, host, scheduled_at, delivered_at, deliveries) " +
                  "VALUES (@m, @p, @h, @sa, @da, 1) " +
                  "ON DUPLICATE KEY UPDATE deliveries = deliveries + 1, host = CONCAT(host, ',', VALUES(host))"
                : "INSERT INTO deliveries (message_id, ping_id, seq, host, scheduled_at, delivered_at, deliveries) " +
                  "VALUES (@m, @p, @s, @h, @sa, @da, 1) " +
                  "ON DUPLICATE KEY UPDATE deliveries = deliveries + 1, host = CONCAT(host, ',', VALUES(host))";
            command.Parameters.AddWithValue("@m", (context.MessageId ?? Guid.Empty).ToString("D"));
            command.Parameters.AddWithValue("@p", context.Message.Id.ToString("D"));
            command.Parameters.AddWithValue("@s", context.Message.Sequence);
            command.Parameters.AddWithValue("@h", identity.Name);
            command.Parameters.AddWithValue("@sa",
                DateTime.TryParse(scheduled, null, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at.ToUniversalTime() : DBNull.Value);
            command.Parameters.AddWithValue("@da", DateTime.UtcNow);
            await command.ExecuteNonQueryAsync(context.CancellationToken);
        }
    }

    public static class DeliveryTable
    {
        public static async Task Ensure(string connectionString)
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText =
                "CREATE TABLE IF NOT EXISTS deliveries (" +
                " message_id CHAR(36) NOT NULL PRIMARY KEY," +
                " ping_id CHAR(36) NOT NULL UNIQUE," +
                " seq INT NOT NULL," +
                " host VARCHAR(255) NOT NULL," +
                " scheduled_at DATETIME(6) NULL," +
                " delivered_at DATETIME(6) NOT NULL," +
                " deliveries INT NOT NULL) ENGINE=InnoDB";
            await command.ExecuteNonQueryAsync();
            command.CommandText =
                "CREATE TABLE IF NOT EXISTS recurring_deliveries (" +
                " message_id CHAR(36) NOT NULL PRIMARY KEY," +
                " ping_id CHAR(36) NOT NULL," +
                " host VARCHAR(255) NOT NULL," +
                " scheduled_at DATETIME(6) NULL," +
                " delivered_at DATETIME(6) NOT NULL," +
                " deliveries INT NOT NULL) ENGINE=InnoDB";
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>One line per log entry on stderr (the tests show it when something fails).</summary>
    internal sealed class StderrLoggerProvider(string name) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(name, categoryName);

        public void Dispose()
        {
        }


        private sealed class Logger(string name, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {name} {logLevel} {category}: {formatter(state, exception)}"
                    + (exception != null ? $" | {exception.GetType().Name}: {exception.Message}" : ""));
        }
    }

    internal sealed class Arguments
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);

        public static Arguments Parse(string[] args)
        {
            var result = new Arguments();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"Unexpected argument '{args[i]}'");
                var key = args[i][2..];
                string? value = null;
                if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    value = args[++i];
                result._values[key] = value;
            }

            return result;
        }

        public bool Has(string key) => _values.ContainsKey(key);

        public string? Get(string key) => _values.TryGetValue(key, out var value) ? value : null;

        public string Required(string key) => Get(key) ?? throw new ArgumentException($"--{key} is required");
    }
}
