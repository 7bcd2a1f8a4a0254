using MassTransit.Testing;
using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

/// <summary>The harness's delayed scheduler backs <c>Schedule</c>: periods of a few seconds, waits bounded by the harness patience.</summary>
public sealed class When_timers_fire
{
    [Fact]
    public async Task An_experiment_starts_stops_and_finishes_on_its_own()
    {
        await using var h = await LifecycleHarness.StartAsync(lateEventTail: TimeSpan.FromSeconds(1));
        var now = Experiments.Now;
        var create = await h.CreateAsync(Experiments.Create(startAt: now + 2, stopAt: now + 4));

        await h.ShouldReachAsync(create.ExperimentId, m => m.Running);
        await h.ShouldReachAsync(create.ExperimentId, m => m.Stopped);
        await h.ShouldReachAsync(create.ExperimentId, m => m.Finished);
        await h.ShouldPublishAsync<PersisterDemandChanged>(create.ExperimentId, d => d.ExperimentId, d => d.Status == ExperimentStatus.Finished);

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Finished, row.Status);
        Assert.Equal(create.StartAt, row.StartAt);
        Assert.Equal(create.StopAt, row.StopAt);
        Assert.NotNull(row.StoppedAt);
        Assert.Null(row.StartTimerTokenId);
        Assert.Null(row.StopTimerTokenId);
        Assert.Null(row.FinishTimerTokenId);
        Assert.Single(h.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
        var stopped = Assert.Single(h.PublishedFor<ExperimentStopped>(create.ExperimentId, e => e.ExperimentId));
        Assert.Equal(create.StopAt + 1, stopped.LateEventsUntil);
        Assert.Single(h.PublishedFor<ExperimentFinished>(create.ExperimentId, e => e.ExperimentId));
        var demand = h.DemandChangesFor(create.ExperimentId);
        Assert.Equal([(ExperimentStatus.Running, true), (ExperimentStatus.Finished, false)], demand.Select(d => (d.Status, d.IsLive)));
    }

    [Fact]
    public async Task The_start_timer_after_a_manual_start_is_stale_and_ignored()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var now = Experiments.Now;
        var create = await h.CreateAsync(Experiments.Create(startAt: now + 2, stopAt: now + 3600));
        (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("started");
        var started = await h.RequiredRowAsync(create.ExperimentId);

        // The harness's delayed scheduler cannot cancel, so the old timer arrives; its token is no longer the saga's.
        await h.ShouldConsumeAsync<ExperimentStartTimeReached>(create.ExperimentId, m => m.ExperimentId);

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.Equal(started.Version, row.Version);
        Assert.Equal(started.StartAt, row.StartAt);
        Assert.Single(h.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
        Assert.False(await h.Harness.Published.Any<MassTransit.Fault<ExperimentStartTimeReached>>());
    }

    [Fact]
    public async Task The_stop_timer_of_a_period_that_was_extended_is_stale_and_ignored()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var now = Experiments.Now;
        var create = await h.CreateAsync(Experiments.Create(startAt: now - 10, stopAt: now + 2));
        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = now + 3600 }))
            .ShouldBeAccepted("period changed");
        var changed = await h.RequiredRowAsync(create.ExperimentId);

        await h.ShouldConsumeAsync<ExperimentStopTimeReached>(create.ExperimentId, m => m.ExperimentId);

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.Equal(now + 3600, row.StopAt);
        Assert.Equal(changed.Version, row.Version);
        Assert.Empty(h.PublishedFor<ExperimentStopped>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task The_finish_timer_after_a_force_stop_is_stale_and_ignored()
    {
        // Long enough that the force-stop lands inside the tail even on a loaded machine.
        await using var h = await LifecycleHarness.StartAsync(lateEventTail: TimeSpan.FromSeconds(6));
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");
        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("force-stopped: late-event tail ended");
        var forceStopped = await h.RequiredRowAsync(create.ExperimentId);

        await h.ShouldConsumeAsync<ExperimentLateEventTailEnded>(create.ExperimentId, m => m.ExperimentId);

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.ForceStopped, row.Status);
        Assert.Equal(forceStopped.Version, row.Version);
        Assert.Empty(h.PublishedFor<ExperimentFinished>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_waiting_experiment_whose_new_start_has_passed_starts_at_once()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        var startAt = Experiments.Now - 5;

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = startAt, StopAt = create.StopAt }))
            .ShouldBeAccepted("period changed");

        await h.ShouldReachAsync(create.ExperimentId, m => m.Running);
        await h.ShouldPublishAsync<PersisterDemandChanged>(create.ExperimentId, d => d.ExperimentId, d => d.Status == ExperimentStatus.Running);
        Assert.Equal(startAt, (await h.RequiredRowAsync(create.ExperimentId)).StartAt);
    }

    [Fact]
    public async Task A_timer_for_an_unknown_experiment_is_dropped()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var id = Guid.NewGuid();
        var endpoint = await h.Harness.Bus.GetSendEndpoint(new Uri($"queue:{ExperimentLifecycleOptions.DefaultEndpointName}"));

        await endpoint.Send(new ExperimentStopTimeReached { ExperimentId = id, DueAt = Experiments.Now });

        Assert.True(await h.Harness.Consumed.Any<ExperimentStopTimeReached>(m => m.Context.Message.ExperimentId == id));
        Assert.False(await h.Harness.Published.Any<MassTransit.Fault<ExperimentStopTimeReached>>());
        Assert.Null(await h.RowAsync(id));
    }
}
