using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_an_experiment_is_started_by_command
{
    [Fact]
    public async Task A_waiting_experiment_runs_from_now_and_its_start_moves_earlier()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        var before = Experiments.Now;

        var accepted = (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("started");

        Assert.Equal(ExperimentStatus.Running, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.InRange(row.StartAt, before, Experiments.Now);
        Assert.Equal(create.StopAt, row.StopAt);
        Assert.Null(row.StartTimerTokenId);
        Assert.NotNull(row.StopTimerTokenId);
        Assert.Equal(2, row.Version);
        var started = Assert.Single(h.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
        Assert.Equal(row.StartAt, started.StartAt);
        var demand = Assert.Single(h.DemandChangesFor(create.ExperimentId));
        Assert.Equal(ExperimentStatus.Running, demand.Status);
        Assert.True(demand.IsLive);
    }

    [Fact]
    public async Task Starting_a_running_experiment_again_is_accepted_as_already_running_and_changes_nothing()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());

        var again = (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already running");

        Assert.Equal(ExperimentStatus.Running, again.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(create.StartAt, row.StartAt);
        Assert.Equal(1, row.Version);
        Assert.Single(h.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
        Assert.Single(h.DemandChangesFor(create.ExperimentId));
    }

    [Fact]
    public async Task Starting_a_stopped_experiment_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");

        var rejected = (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("a stopped experiment cannot start again");

        Assert.Equal(ExperimentStatus.Stopped, rejected.Status);
        Assert.Equal(nameof(StartExperiment), rejected.Command);
        Assert.Equal((int)ExperimentStatus.Stopped, (await h.RequiredRowAsync(create.ExperimentId)).Status);
    }

    [Fact]
    public async Task Starting_a_finished_experiment_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        var rejected = (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("a finished experiment cannot start again");

        Assert.Equal(ExperimentStatus.Finished, rejected.Status);
    }

    [Fact]
    public async Task Starting_a_force_stopped_experiment_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        var rejected = (await h.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("a force-stopped experiment cannot start again");

        Assert.Equal(ExperimentStatus.ForceStopped, rejected.Status);
        Assert.Equal((int)ExperimentStatus.ForceStopped, (await h.RequiredRowAsync(create.ExperimentId)).Status);
    }
}
