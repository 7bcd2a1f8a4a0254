using MassTransit;
using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

/// <summary>
/// A schedule lost (in-memory scheduler store restarted, or a crash before the outbox sent it) is recovered by the
/// timer sweep. The loss is staged by moving the row's times into the past: time passed, the timer never came.
/// </summary>
public sealed class When_a_timer_was_lost
{
    [Fact]
    public async Task The_sweep_starts_a_waiting_experiment_whose_start_passed()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        var startedAt = Experiments.Now - 120;
        await h.EditRowAsync(create.ExperimentId, r => r.StartAt = startedAt);

        Assert.Equal(1, await h.SweepTimersAsync());

        await h.ShouldReachAsync(create.ExperimentId, m => m.Running);
        await h.ShouldPublishAsync<PersisterDemandChanged>(create.ExperimentId, d => d.ExperimentId, d => d.Status == ExperimentStatus.Running);
        Assert.Equal(startedAt, (await h.RequiredRowAsync(create.ExperimentId)).StartAt);
        Assert.Equal(0, await h.SweepTimersAsync());
    }

    [Fact]
    public async Task The_sweep_stops_a_running_experiment_whose_stop_passed()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        var stopAt = Experiments.Now - 120;
        await h.EditRowAsync(create.ExperimentId, r => r.StopAt = stopAt);

        Assert.Equal(1, await h.SweepTimersAsync());

        await h.ShouldReachAsync(create.ExperimentId, m => m.Stopped);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(stopAt, row.StopAt);
        Assert.NotNull(row.FinishTimerTokenId);
    }

    [Fact]
    public async Task The_sweep_finishes_a_stopped_experiment_whose_tail_ended()
    {
        await using var h = await LifecycleHarness.StartAsync(lateEventTail: TimeSpan.FromHours(1));
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");
        await h.EditRowAsync(create.ExperimentId, r => r.StopAt = Experiments.Now - 3600 - 120);

        Assert.Equal(1, await h.SweepTimersAsync());

        await h.ShouldReachAsync(create.ExperimentId, m => m.Finished);
        await h.ShouldPublishAsync<PersisterDemandChanged>(create.ExperimentId, d => d.ExperimentId, d => d.Status == ExperimentStatus.Finished);
    }

    [Fact]
    public async Task Nothing_is_sent_for_timers_that_are_not_overdue()
    {
        await using var h = await LifecycleHarness.StartAsync();
        await h.CreateAsync(Experiments.Create());
        await h.CreateAsync(Experiments.CreateRunning());

        Assert.Equal(0, await h.SweepTimersAsync());
    }

    [Fact]
    public async Task A_sweep_copy_that_lost_a_race_with_a_period_change_is_dropped()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        var readBySweep = await h.RequiredRowAsync(create.ExperimentId);
        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = create.StopAt + 60 }))
            .ShouldBeAccepted("period changed");
        var changed = await h.RequiredRowAsync(create.ExperimentId);
        var endpoint = await h.Harness.Bus.GetSendEndpoint(new Uri($"queue:{ExperimentLifecycleOptions.DefaultEndpointName}"));

        await endpoint.Send(new ExperimentStopTimeReached { ExperimentId = create.ExperimentId, DueAt = readBySweep.StopAt },
            c => c.Headers.Set(MessageHeaders.SchedulingTokenId, readBySweep.StopTimerTokenId!.Value.ToString("D")));
        await h.ShouldConsumeAsync<ExperimentStopTimeReached>(create.ExperimentId, m => m.ExperimentId);

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.Equal(changed.Version, row.Version);
        Assert.Equal(changed.StopTimerTokenId, row.StopTimerTokenId);
    }
}
