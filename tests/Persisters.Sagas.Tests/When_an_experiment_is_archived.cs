using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_an_experiment_is_archived
{
    [Fact]
    public async Task A_finished_experiment_is_flagged_archived()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        var accepted = (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("archived");

        Assert.Equal(ExperimentStatus.Finished, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.True(row.Archived);
        Assert.Equal((int)ExperimentStatus.Finished, row.Status);
        Assert.Single(h.PublishedFor<ExperimentArchived>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_force_stopped_experiment_is_flagged_archived_and_a_repeat_is_already_archived()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new ForceStopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();
        (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("archived");
        var first = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already archived");

        Assert.Equal(first.Version, (await h.RequiredRowAsync(create.ExperimentId)).Version);
        Assert.Single(h.PublishedFor<ExperimentArchived>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_waiting_experiment_cannot_be_archived()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("only a finished or force-stopped experiment can be archived");

        Assert.False((await h.RequiredRowAsync(create.ExperimentId)).Archived);
    }

    [Fact]
    public async Task A_running_experiment_cannot_be_archived()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());

        (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("stop it first");

        Assert.False((await h.RequiredRowAsync(create.ExperimentId)).Archived);
    }

    [Fact]
    public async Task A_stopped_experiment_in_its_tail_cannot_be_archived()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        (await h.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId }))
            .ShouldBeRejected("takes late events until its tail ends");

        Assert.False((await h.RequiredRowAsync(create.ExperimentId)).Archived);
    }
}
