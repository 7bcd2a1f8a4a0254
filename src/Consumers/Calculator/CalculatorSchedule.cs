using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Contracts;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// At bus start, registers the calculator's recurring tick (<see cref="RunExperimentCalculations"/> to its own queue
/// every <see cref="CalculatorOptions.Interval"/>) with the durable scheduler. The schedule id and group are fixed, so
/// every replica replaces the same Quartz trigger: with the clustered store it fires once per interval in all.
/// </summary>
public sealed class CalculatorSchedule(IServiceScopeFactory scopes, IOptions<CalculatorOptions> options, ILogger<CalculatorSchedule> logger) : IBusObserver
{
    public const string ScheduleId = "experiment-calculations";
    public const string ScheduleGroup = "persisters-calculator";

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PreStart(IBus bus) => Task.CompletedTask;

    public async Task PostStart(IBus bus, Task<BusReady> busReady)
    {
        await busReady;
        await RegisterAsync(CancellationToken.None);
    }

    /// <summary>Sends the recurring schedule request; a host without a scheduler or with the calculator disabled only logs.</summary>
    public async Task<bool> RegisterAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("Calculator schedule not registered: Calculator:Enabled is false");
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var scheduler = scope.ServiceProvider.GetService<IRecurringMessageScheduler>();
        if (scheduler is null)
        {
            logger.LogWarning("Calculator schedule not registered: this bus has no message scheduler");
            return false;
        }
        try
        {
            await scheduler.ScheduleRecurringSend(CalculatorQueues.Address, new CalculatorRecurringSchedule(o.CronExpression!), new RunExperimentCalculations(), ct);
            logger.LogInformation("Calculator runs every {Interval} ('{Cron}')", o.Interval, o.CronExpression);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The other replicas register the same schedule; this host's calculator still consumes.
            logger.LogError(ex, "Calculator schedule could not be registered");
            return false;
        }
    }

    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public Task PreStop(IBus bus) => Task.CompletedTask;

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}

/// <summary>The one recurring schedule of the calculator: UTC, missed occurrences skipped (the next tick recalculates anyway).</summary>
public sealed class CalculatorRecurringSchedule(string cronExpression) : RecurringSchedule
{
    public string TimeZoneId => TimeZoneInfo.Utc.Id;

    public DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? EndTime => null;

    public string ScheduleId => CalculatorSchedule.ScheduleId;

    public string ScheduleGroup => CalculatorSchedule.ScheduleGroup;

    public string CronExpression => cronExpression;

    public string Description => "Recalculates the results of every live experiment";

    public MissedEventPolicy MisfirePolicy => MissedEventPolicy.Skip;
}
