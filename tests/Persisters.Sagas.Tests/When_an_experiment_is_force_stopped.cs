using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_an_experiment_is_force_stopped
{
    [Fact]
    public async Task A_waiting_experiment_is_force_stopped_without_ever_needing_the_persisters()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        var accepted = (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeAccepted("force-stopped before it started");

        Assert.Equal(ExperimentStatus.ForceStopped, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.ForceStopped, row.Status);
        Assert.NotNull(row.StoppedAt);
        Assert.Null(row.StartTimerTokenId);
        Assert.Single(h.PublishedFor<ExperimentForceStopped>(create.ExperimentId, e => e.ExperimentId));
        Assert.Empty(h.DemandChangesFor(create.ExperimentId));
    }

    [Fact]
    public async Task A_running_experiment_stops_taking_events_at_once()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        var before = Experiments.Now;

        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("force-stopped");

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.ForceStopped, row.Status);
        Assert.InRange(row.StopAt, before, Experiments.Now);
        Assert.Null(row.StopTimerTokenId);
        Assert.Null(row.FinishTimerTokenId);
        var demand = h.DemandChangesFor(create.ExperimentId);
        Assert.Equal([ExperimentStatus.Running, ExperimentStatus.ForceStopped], demand.Select(d => d.Status));
        Assert.False(demand[1].IsLive);
        var live = await h.Provider.GetRequiredService<DefinitionStore>()
            .LoadLiveExperimentsAsync(Experiments.Now, TimeSpan.FromDays(2), CancellationToken.None);
        Assert.DoesNotContain(live, e => e.ExperimentId == create.ExperimentId);
    }

    [Fact]
    public async Task A_stopped_experiment_ends_its_late_event_tail_at_once()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");
        var stopped = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("force-stopped: late-event tail ended");

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.ForceStopped, row.Status);
        Assert.Equal(stopped.StoppedAt, row.StoppedAt);
        Assert.Null(row.FinishTimerTokenId);
        var demand = h.DemandChangesFor(create.ExperimentId);
        Assert.Equal([ExperimentStatus.Running, ExperimentStatus.ForceStopped], demand.Select(d => d.Status));
        var live = await h.Provider.GetRequiredService<DefinitionStore>()
            .LoadLiveExperimentsAsync(Experiments.Now, TimeSpan.FromDays(2), CancellationToken.None);
        Assert.DoesNotContain(live, e => e.ExperimentId == create.ExperimentId);
    }

    [Fact]
    public async Task Force_stopping_again_is_accepted_as_already_force_stopped_and_changes_nothing()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("force-stopped");
        var first = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already force-stopped");

        Assert.Equal(first.Version, (await h.RequiredRowAsync(create.ExperimentId)).Version);
        Assert.Single(h.PublishedFor<ExperimentForceStopped>(create.ExperimentId, e => e.ExperimentId));
        Assert.Equal(2, h.DemandChangesFor(create.ExperimentId).Count);
    }

    [Fact]
    public async Task Force_stopping_a_finished_experiment_is_accepted_as_already_finished()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        var accepted = (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already finished");

        Assert.Equal(ExperimentStatus.Finished, accepted.Status);
        Assert.Equal((int)ExperimentStatus.Finished, (await h.RequiredRowAsync(create.ExperimentId)).Status);
        Assert.Empty(h.PublishedFor<ExperimentForceStopped>(create.ExperimentId, e => e.ExperimentId));
    }
}
