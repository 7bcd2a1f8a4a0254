using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_an_experiment_is_stopped
{
    [Fact]
    public async Task A_running_experiment_enters_its_late_event_tail_and_the_persisters_still_take_its_events()
    {
        await using var h = await LifecycleHarness.StartAsync(lateEventTail: TimeSpan.FromHours(1));
        var create = await h.CreateAsync(Experiments.CreateRunning());
        var before = Experiments.Now;

        var accepted = (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");

        Assert.Equal(ExperimentStatus.Stopped, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Stopped, row.Status);
        Assert.InRange(row.StopAt, before, Experiments.Now);
        Assert.Equal(row.StopAt, row.StoppedAt);
        Assert.Null(row.StopTimerTokenId);
        Assert.NotNull(row.FinishTimerTokenId);
        var stopped = Assert.Single(h.PublishedFor<ExperimentStopped>(create.ExperimentId, e => e.ExperimentId));
        Assert.Equal(row.StopAt + 3600, stopped.LateEventsUntil);
        // Still live (in its tail): no demand change beyond the start.
        Assert.Equal([ExperimentStatus.Running], h.DemandChangesFor(create.ExperimentId).Select(d => d.Status));
        var live = await h.Provider.GetRequiredService<DefinitionStore>()
            .LoadLiveExperimentsAsync(Experiments.Now, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Contains(live, e => e.ExperimentId == create.ExperimentId && e.Status == ExperimentStatus.Stopped);
    }

    [Fact]
    public async Task A_waiting_experiment_finishes_at_once_without_a_tail()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        var accepted = (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeAccepted("stopped before it started: finished");

        Assert.Equal(ExperimentStatus.Finished, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Finished, row.Status);
        Assert.NotNull(row.StoppedAt);
        Assert.Null(row.StartTimerTokenId);
        Assert.Single(h.PublishedFor<ExperimentStopped>(create.ExperimentId, e => e.ExperimentId));
        Assert.Single(h.PublishedFor<ExperimentFinished>(create.ExperimentId, e => e.ExperimentId));
        Assert.Empty(h.DemandChangesFor(create.ExperimentId));
    }

    [Fact]
    public async Task Stopping_a_stopped_experiment_again_is_accepted_as_already_stopped_and_changes_nothing()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");
        var first = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already stopped");

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(first.Version, row.Version);
        Assert.Equal(first.StoppedAt, row.StoppedAt);
        Assert.Single(h.PublishedFor<ExperimentStopped>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task Stopping_a_finished_or_force_stopped_experiment_is_accepted_as_already_done()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var finished = await h.CreateAsync(Experiments.Create());
        (await h.SendAsync(new StopExperiment { ExperimentId = finished.ExperimentId })).ShouldBeAccepted();
        var forceStopped = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new ForceStopExperiment { ExperimentId = forceStopped.ExperimentId })).ShouldBeAccepted();

        var a = (await h.SendAsync(new StopExperiment { ExperimentId = finished.ExperimentId })).ShouldBeAccepted("already finished");
        var b = (await h.SendAsync(new StopExperiment { ExperimentId = forceStopped.ExperimentId })).ShouldBeAccepted("already force-stopped");

        Assert.Equal(ExperimentStatus.Finished, a.Status);
        Assert.Equal(ExperimentStatus.ForceStopped, b.Status);
    }
}
