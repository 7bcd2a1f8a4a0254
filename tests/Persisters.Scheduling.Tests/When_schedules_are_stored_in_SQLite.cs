using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Scheduling.Tests.Messages;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests;

/// <summary>Quartz's ADO.NET store on SQLite (tables from <see cref="QuartzSchema" />).</summary>
public sealed class When_schedules_are_stored_in_SQLite(ITestOutputHelper output) : IDisposable
{
    private static readonly Uri ReminderQueue = new("queue:reminder");
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sched-{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_file}";

    private SchedulerOptions Options(string instanceName = "sqlite-test") => new()
    {
        Store = SchedulerStore.Database,
        Provider = SchedulerDatabaseProvider.Sqlite,
        ConnectionString = ConnectionString,
        InstanceName = instanceName,
        IdleWaitTime = TimeSpan.FromSeconds(1),
        MisfireThreshold = TimeSpan.FromSeconds(2),
        SqliteTakeoverPollInterval = TimeSpan.FromMilliseconds(300),
        ThreadCount = 2,
        MaxBatchSize = 2,
    };

    private static void AddReminder(IBusRegistrationConfigurator x)
    {
        x.AddSingleton<DeliveryLog>();
        x.AddConsumer<ReminderConsumer>().Endpoint(e => e.Name = "reminder");
    }

    private void ApplySchema()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        foreach (var statement in QuartzSchema.CreateStatements("Sqlite"))
        {
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Schema_statements_are_idempotent_and_create_every_table()
    {
        ApplySchema();
        ApplySchema();

        foreach (var table in QuartzSchema.TableNames())
            Assert.Equal(1, Count($"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        Assert.Contains("qrtz_TRIGGERS", QuartzSchema.TableNames());
        Assert.All(QuartzSchema.CreateStatements("MySql"), s => Assert.StartsWith("CREATE TABLE IF NOT EXISTS", s));
        Assert.Throws<ArgumentException>(() => QuartzSchema.CreateStatements("Oracle"));
    }

    [Fact]
    public async Task Schedule_survives_a_restart_of_the_host()
    {
        ApplySchema();
        var id = Guid.NewGuid();

        await using (var first = await SchedulerTestBus.Start(output, Options(), AddReminder))
        {
            var scheduler = first.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddSeconds(3), new Reminder(id, "after restart"));
            Assert.True(await Wait.Until(() => Count("SELECT COUNT(*) FROM qrtz_TRIGGERS WHERE TRIGGER_GROUP = 'message'") == 1,
                TimeSpan.FromSeconds(10)), "the schedule was not stored");
        }

        // nothing runs while the message falls due (and passes the misfire threshold)
        await Task.Delay(4000);

        await using var second = await SchedulerTestBus.Start(output, Options(), AddReminder);
        var log = second.Provider.GetRequiredService<DeliveryLog>();
        Assert.True(await Wait.Until(() => log.Count(id) == 1, TimeSpan.FromSeconds(15)), "the stored schedule did not fire after the restart");
        await Task.Delay(1000);
        Assert.Equal(1, log.Count(id));
        Assert.Equal(0, Count("SELECT COUNT(*) FROM qrtz_TRIGGERS WHERE TRIGGER_GROUP = 'message'"));
    }

    [Fact]
    public async Task Only_one_process_fires_from_a_SQLite_database_and_a_standby_takes_over()
    {
        ApplySchema();
        var early = Guid.NewGuid();
        var late = Guid.NewGuid();

        var active = await SchedulerTestBus.Start(output, Options(), AddReminder);
        await using var standby = await SchedulerTestBus.Start(output, Options(), AddReminder);
        var activeLog = active.Provider.GetRequiredService<DeliveryLog>();
        var standbyLog = standby.Provider.GetRequiredService<DeliveryLog>();
        try
        {
            Assert.True(active.Host.IsFiring);
            Assert.False(standby.Host.IsFiring);

            // the standby accepts schedules; the active process fires them
            var scheduler = standby.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddMilliseconds(500), new Reminder(early, "fired by the active one"));
            Assert.True(await Wait.Until(() => activeLog.Count(early) == 1, TimeSpan.FromSeconds(15)), "the active process did not fire");
            Assert.Equal(0, standbyLog.Count(early));

            await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddSeconds(4), new Reminder(late, "fired after the take-over"));
            Assert.True(await Wait.Until(() => Count("SELECT COUNT(*) FROM qrtz_TRIGGERS WHERE TRIGGER_GROUP = 'message'") == 1,
                TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await active.DisposeAsync();
        }

        Assert.True(await Wait.Until(() => standby.Host.IsFiring, TimeSpan.FromSeconds(10)), "the standby did not take over");
        Assert.True(await Wait.Until(() => standbyLog.Count(late) == 1, TimeSpan.FromSeconds(15)), "the standby did not fire after taking over");
        await Task.Delay(1000);
        Assert.Equal(1, standbyLog.Count(late) + activeLog.Count(late));
        Assert.Equal(1, activeLog.Count(early) + standbyLog.Count(early));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_file) + "*"))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }
}
