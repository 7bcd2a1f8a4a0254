using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_the_period_of_an_experiment_changes
{
    [Fact]
    public async Task A_waiting_experiment_takes_the_new_period_and_a_new_start_timer()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        var before = await h.RequiredRowAsync(create.ExperimentId);
        var change = new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = Experiments.Now + 7200, StopAt = Experiments.Now + 9000 };

        var accepted = (await h.SendAsync(change)).ShouldBeAccepted("period changed");

        Assert.Equal(ExperimentStatus.Waiting, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((change.StartAt, change.StopAt), (row.StartAt, row.StopAt));
        Assert.NotNull(row.StartTimerTokenId);
        Assert.NotEqual(before.StartTimerTokenId, row.StartTimerTokenId);
        Assert.Equal(before.Version + 1, row.Version);
    }

    [Fact]
    public async Task The_same_period_again_is_accepted_as_already_set_and_changes_nothing()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        var before = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = create.StopAt }))
            .ShouldBeAccepted("already has this period");

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(before.Version, row.Version);
        Assert.Equal(before.StartTimerTokenId, row.StartTimerTokenId);
    }

    [Fact]
    public async Task A_stop_not_after_the_start_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        var rejected = (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = Experiments.Now + 500, StopAt = Experiments.Now + 400 }))
            .ShouldBeRejected("must be after start_at");

        Assert.Equal(ExperimentStatus.Waiting, rejected.Status);
        Assert.Equal(create.StopAt, (await h.RequiredRowAsync(create.ExperimentId)).StopAt);
    }

    [Fact]
    public async Task A_stop_in_the_past_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = Experiments.Now - 1 }))
            .ShouldBeRejected("is not in the future");

        Assert.Equal(create.StopAt, (await h.RequiredRowAsync(create.ExperimentId)).StopAt);
    }

    [Fact]
    public async Task A_running_experiment_cannot_move_its_start_into_the_future()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = Experiments.Now + 600, StopAt = Experiments.Now + 1200 }))
            .ShouldBeRejected("the experiment is already running");

        Assert.Equal(create.StartAt, (await h.RequiredRowAsync(create.ExperimentId)).StartAt);
    }

    [Fact]
    public async Task A_running_experiment_takes_a_new_stop_and_a_new_stop_timer()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        var before = await h.RequiredRowAsync(create.ExperimentId);

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = create.StopAt + 3600 }))
            .ShouldBeAccepted("period changed");

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.Equal(create.StopAt + 3600, row.StopAt);
        Assert.NotNull(row.StopTimerTokenId);
        Assert.NotEqual(before.StopTimerTokenId, row.StopTimerTokenId);
    }

    [Fact]
    public async Task The_period_of_a_stopped_experiment_cannot_change()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.CreateRunning());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        var rejected = (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt, StopAt = Experiments.Now + 60 }))
            .ShouldBeRejected("the period of a stopped experiment cannot change");

        Assert.Equal(ExperimentStatus.Stopped, rejected.Status);
    }

    [Fact]
    public async Task The_period_of_a_finished_experiment_cannot_change()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());
        (await h.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted();

        (await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = Experiments.Now + 60, StopAt = Experiments.Now + 120 }))
            .ShouldBeRejected("the period of a finished experiment cannot change");
    }

    [Fact]
    public async Task Twenty_parallel_changes_leave_one_consistent_row_without_a_lost_update()
    {
        var widener = new RaceWidener(TimeSpan.FromMilliseconds(30));
        await using var h = await LifecycleHarness.StartAsync(concurrentMessageLimit: 20, raceWidener: widener);
        await ParallelChanges.ShouldAllApplyAsync(h, widener);
    }
}

/// <summary>Shared by the SQLite and MariaDB runs.</summary>
internal static class ParallelChanges
{
    public static async Task ShouldAllApplyAsync(LifecycleHarness h, RaceWidener widener)
    {
        var create = await h.CreateAsync(Experiments.Create());
        var changes = Enumerable.Range(1, 20)
            .Select(i => new ChangeExperimentPeriod { ExperimentId = create.ExperimentId, StartAt = create.StartAt + i, StopAt = create.StopAt + i })
            .ToList();

        var answers = await Task.WhenAll(changes.Select(h.SendAsync));

        Assert.All(answers, a => a.ShouldBeAccepted("period changed"));
        var row = await h.RequiredRowAsync(create.ExperimentId);
        // Every accepted change read the row it replaced and added one to its version: 1 (create) + 20.
        Assert.Equal(21, row.Version);
        Assert.True(widener.Conflicts > 0, "No update ever met a newer version: the commands did not race, so this run proved nothing.");
        Assert.Equal((int)ExperimentStatus.Waiting, row.Status);
        // One command's period, whole: never the start of one and the stop of another.
        var applied = Assert.Single(changes, c => c.StopAt == row.StopAt);
        Assert.Equal(applied.StartAt, row.StartAt);
        Assert.NotNull(row.StartTimerTokenId);
        Assert.Equal(create.FeatureId, row.FeatureId);
    }
}
