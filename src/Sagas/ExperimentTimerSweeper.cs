using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Sagas;

/// <summary>
/// Backstop for lost timers. A schedule can be lost: the embedded default's in-memory Quartz store forgets it on restart,
/// and a crash between saving the row and the outbox sending the schedule request loses it too. Every
/// <see cref="ExperimentLifecycleOptions.TimerSweepInterval"/> this re-sends each timer that is overdue by more than
/// <see cref="ExperimentLifecycleOptions.TimerSweepGrace"/>, carrying the token stored in the row: if the real timer
/// fired meanwhile, or the experiment was rescheduled, the token no longer matches and the saga drops the copy.
/// Duplicates from several replicas are dropped the same way. The primary path stays the durable scheduler.
/// </summary>
public sealed class ExperimentTimerSweeper(
    IPersistersDbContextFactory databases,
    IBus bus,
    ExperimentLifecycleOptions options,
    TimeProvider clock,
    ILogger<ExperimentTimerSweeper> logger) : BackgroundService
{
    /// <summary>One sweep; returns how many overdue timers were sent again.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var due = clock.GetUtcNow().ToUnixTimeSeconds() - (long)options.TimerSweepGrace.TotalSeconds;
        var tail = options.LateEventTailSeconds;
        await using var db = databases.CreateDbContext();
        var overdue = await db.Experiments.AsNoTracking()
            .Where(e => (e.Status == (int)ExperimentStatus.Waiting && e.StartAt <= due && e.StartTimerTokenId != null)
                        || (e.Status == (int)ExperimentStatus.Running && e.StopAt <= due && e.StopTimerTokenId != null)
                        || (e.Status == (int)ExperimentStatus.Stopped && e.StopAt <= due - tail && e.FinishTimerTokenId != null))
            .Select(e => new { e.Id, e.Status, e.StartAt, e.StopAt, e.StartTimerTokenId, e.StopTimerTokenId, e.FinishTimerTokenId })
            .ToListAsync(ct);
        if (overdue.Count == 0) return 0;

        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{options.EndpointName}"));
        foreach (var e in overdue)
        {
            switch ((ExperimentStatus)e.Status)
            {
                case ExperimentStatus.Waiting:
                    await SendAsync(endpoint, new ExperimentStartTimeReached { ExperimentId = e.Id, DueAt = e.StartAt }, e.StartTimerTokenId!.Value, ct);
                    break;
                case ExperimentStatus.Running:
                    await SendAsync(endpoint, new ExperimentStopTimeReached { ExperimentId = e.Id, DueAt = e.StopAt }, e.StopTimerTokenId!.Value, ct);
                    break;
                default:
                    await SendAsync(endpoint, new ExperimentLateEventTailEnded { ExperimentId = e.Id, DueAt = e.StopAt + tail }, e.FinishTimerTokenId!.Value, ct);
                    break;
            }
        }
        logger.LogWarning("Sent {Count} overdue experiment timers again (lost schedules, or a scheduler running late)", overdue.Count);
        return overdue.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.TimerSweepInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.TimerSweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Experiment timer sweep failed; next try in {Interval}", options.TimerSweepInterval);
            }
        }
    }

    private static Task SendAsync<T>(ISendEndpoint endpoint, T message, Guid tokenId, CancellationToken ct) where T : class =>
        endpoint.Send(message, c => c.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D")), ct);
}
