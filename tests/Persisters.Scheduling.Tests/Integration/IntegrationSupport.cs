using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using Xunit.Abstractions;

namespace Persisters.Scheduling.TestHost
{
    /// <summary>The TestHost's message contract (same namespace and name, so the same message type URN).</summary>
    public record Ping(Guid Id, int Sequence);
}

namespace Persisters.Scheduling.Tests.Integration
{
    /// <summary>The servers of scripts/services.sh. Missing or unreachable servers fail the test; they never skip it.</summary>
    public static class Servers
    {
        public static string MySqlAdmin => Required("PERSISTERS_TEST_MYSQL_ADMIN");
        public static string RabbitHost => Required("PERSISTERS_TEST_RABBITMQ_HOST");
        public static ushort RabbitPort => ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
        public static string? RabbitManagement => Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT");

        static string Required(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException(
                    $"{name} is not set: start the test servers and export their settings with: scripts/services.sh up && eval \"$(scripts/services.sh env)\"");
    }

    /// <summary>A throw-away MariaDB database with the Quartz tables, dropped at the end.</summary>
    public sealed class TestDatabase : IAsyncDisposable
    {
        TestDatabase(string name, string connectionString)
        {
            Name = name;
            ConnectionString = connectionString;
        }

        public string Name { get; }
        public string ConnectionString { get; }

        public static async Task<TestDatabase> Create()
        {
            var name = "sched_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new MySqlConnection(Servers.MySqlAdmin))
            {
                try
                {
                    await admin.OpenAsync();
                }
                catch (MySqlException ex)
                {
                    throw new InvalidOperationException($"MariaDB is unreachable ({ex.Message}); start it with scripts/services.sh up", ex);
                }

                await using var create = admin.CreateCommand();
                create.CommandText = $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
                await create.ExecuteNonQueryAsync();
            }

            var builder = new MySqlConnectionStringBuilder(Servers.MySqlAdmin) { Database = name };
            var database = new TestDatabase(name, builder.ConnectionString);
            await database.Execute(QuartzSchema.CreateStatements(QuartzSchema.MySql));
            return database;
        }

        public async Task Execute(IEnumerable<string> statements)
        {
            await using var connection = new MySqlConnection(ConnectionString);
            await connection.OpenAsync();
            foreach (var statement in statements)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync();
            }
        }

        public async Task<T> Scalar<T>(string sql)
        {
            await using var connection = new MySqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var value = await command.ExecuteScalarAsync();
            return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T));
        }

        /// <summary>(rows, deliveries summed, most deliveries of one message); 0s before the TestHost made the table.</summary>
        public async Task<(long Rows, long Deliveries, long Max)> DeliveryCounts()
        {
            await using var connection = new MySqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), COALESCE(SUM(deliveries), 0), COALESCE(MAX(deliveries), 0) FROM deliveries";
            try
            {
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                return (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)));
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchTable)
            {
                return (0, 0, 0);
            }
        }

        public async Task<List<(Guid PingId, int Deliveries, string Host)>> Deliveries()
        {
            var result = new List<(Guid, int, string)>();
            await using var connection = new MySqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT ping_id, deliveries, host FROM deliveries";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                result.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2)));
            return result;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var admin = new MySqlConnection(Servers.MySqlAdmin);
                await admin.OpenAsync();
                await using var drop = admin.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS `{Name}`";
                await drop.ExecuteNonQueryAsync();
            }
            catch (Exception)
            {
                // best effort
            }
        }
    }

    /// <summary>One TestHost process.</summary>
    public sealed class HostProcess : IAsyncDisposable
    {
        readonly Process _process;
        readonly StringBuilder _output = new();
        readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly ITestOutputHelper _log;

        HostProcess(string name, Process process, ITestOutputHelper log)
        {
            Name = name;
            _process = process;
            _log = log;
        }

        public string Name { get; }
        public bool HasExited => _process.HasExited;

        public static string TestHostDll()
        {
            // …/tests/Persisters.Scheduling.Tests/bin/<Configuration>/<tfm>/ → …/tests/Persisters.Scheduling.TestHost/bin/<Configuration>/<tfm>/
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = baseDir.Name;
            var configuration = baseDir.Parent!.Name;
            var tests = baseDir.Parent.Parent!.Parent!.Parent!.FullName;
            var dll = Path.Combine(tests, "Persisters.Scheduling.TestHost", "bin", configuration, tfm, "Persisters.Scheduling.TestHost.dll");
            if (!File.Exists(dll))
                throw new FileNotFoundException($"TestHost not built at {dll} (it is built by the test project's ProjectReference)", dll);
            return dll;
        }

        public static HostProcess Start(string name, ITestOutputHelper log, params string[] arguments)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(TestHostDll());
            info.ArgumentList.Add("--name");
            info.ArgumentList.Add(name);
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var host = new HostProcess(name, process, log);
            process.OutputDataReceived += (_, e) => host.OnLine(e.Data, false);
            process.ErrorDataReceived += (_, e) => host.OnLine(e.Data, true);
            process.Exited += (_, _) => host._ready.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{host.Output}"));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return host;
        }

        void OnLine(string? line, bool error)
        {
            if (line == null)
                return;
            lock (_output)
                _output.AppendLine(line);
            if (!error && line.StartsWith("READY", StringComparison.Ordinal))
                _ready.TrySetResult();
        }

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        public async Task WaitReady(TimeSpan timeout)
        {
            var finished = await Task.WhenAny(_ready.Task, Task.Delay(timeout));
            if (finished != _ready.Task)
                throw new TimeoutException($"{Name} not ready after {timeout}:\n{Output}");
            await _ready.Task;
        }

        /// <summary>SIGKILL: no shutdown code runs.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }

        /// <summary>SIGTERM: the host stops its bus and Quartz gracefully.</summary>
        public async Task Stop(TimeSpan timeout)
        {
            if (_process.HasExited)
                return;
            _ = SysKill(_process.Id, 15);
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"{Name} did not stop within {timeout}:\n{Output}");
            }
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        static extern int SysKill(int pid, int signal);

        public ValueTask DisposeAsync()
        {
            try
            {
                Kill();
                _log.WriteLine($"--- {Name} output ---\n{Output}");
            }
            catch (Exception)
            {
                // best effort
            }

            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A MassTransit client on RabbitMQ that schedules through the hosts' scheduler queue (no scheduler of its own).</summary>
    public sealed class SchedulingClient : IAsyncDisposable
    {
        readonly ServiceProvider _provider;

        SchedulingClient(ServiceProvider provider)
        {
            _provider = provider;
        }

        public static async Task<SchedulingClient> Start(string schedulerQueue)
        {
            var services = new ServiceCollection();
            services.AddMassTransit(x =>
            {
                x.AddMessageScheduler(new Uri($"queue:{schedulerQueue}"));
                x.UsingRabbitMq((_, cfg) =>
                {
                    cfg.Host(Servers.RabbitHost, Servers.RabbitPort, "/", h =>
                    {
                        h.Username("guest");
                        h.Password("guest");
                    });
                });
            });
            var provider = services.BuildServiceProvider();
            try
            {
                await provider.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            }
            catch (Exception ex)
            {
                await provider.DisposeAsync();
                throw new InvalidOperationException($"RabbitMQ at {Servers.RabbitHost}:{Servers.RabbitPort} is unreachable: {ex.Message}", ex);
            }

            return new SchedulingClient(provider);
        }

        public IMessageScheduler Scheduler => _provider.CreateScope().ServiceProvider.GetRequiredService<IMessageScheduler>();

        public IRecurringMessageScheduler RecurringScheduler => _provider.CreateScope().ServiceProvider.GetRequiredService<IRecurringMessageScheduler>();

        public async ValueTask DisposeAsync()
        {
            await _provider.GetRequiredService<IBusControl>().StopAsync();
            await _provider.DisposeAsync();
        }
    }

    public static class RabbitCleanup
    {
        /// <summary>Deletes the test's queues and exchanges through the management API (best effort).</summary>
        public static async Task Delete(params string[] names)
        {
            if (string.IsNullOrEmpty(Servers.RabbitManagement))
                return;
            using var http = new HttpClient { BaseAddress = new Uri(Servers.RabbitManagement), Timeout = TimeSpan.FromSeconds(5) };
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
    }
}
