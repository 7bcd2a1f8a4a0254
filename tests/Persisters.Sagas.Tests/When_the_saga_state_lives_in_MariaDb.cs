using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

/// <summary>The same repository on the real MariaDB (MySQL migrations, Pomelo, its retrying execution strategy).</summary>
public sealed class When_the_saga_state_lives_in_MariaDb
{
    [Fact]
    public async Task Twenty_parallel_changes_leave_one_consistent_row_without_a_lost_update()
    {
        await using var database = await TestDatabase.MariaDbAsync();
        var widener = new RaceWidener(TimeSpan.FromMilliseconds(30));
        await using var h = await LifecycleHarness.StartAsync(database, concurrentMessageLimit: 20, raceWidener: widener);

        await ParallelChanges.ShouldAllApplyAsync(h, widener);
    }

    [Fact]
    public async Task Parallel_creates_of_one_experiment_leave_one_row_and_one_created_answer()
    {
        await using var database = await TestDatabase.MariaDbAsync();
        var widener = new RaceWidener(TimeSpan.FromMilliseconds(30));
        await using var h = await LifecycleHarness.StartAsync(database, concurrentMessageLimit: 10, raceWidener: widener);

        await ParallelCreates.ShouldCreateOnceAsync(h);
    }

    [Fact]
    public async Task An_experiment_starts_stops_and_finishes_on_its_own_and_a_new_host_reads_it_back()
    {
        await using var database = await TestDatabase.MariaDbAsync();
        CreateExperiment create;
        await using (var first = await LifecycleHarness.StartAsync(database, lateEventTail: TimeSpan.FromSeconds(1)))
        {
            // The window is taken after the harness (and its MariaDB migration) has started: on a loaded machine the
            // start alone can take longer than the window, and the saga would rightly refuse a stop_at in the past.
            var now = Experiments.Now;
            create = Experiments.Create(startAt: now + 2, stopAt: now + 4);
            await first.CreateAsync(create);
            await first.ShouldReachAsync(create.ExperimentId, m => m.Running);
            await first.ShouldReachAsync(create.ExperimentId, m => m.Stopped);
            await first.ShouldReachAsync(create.ExperimentId, m => m.Finished);
            await first.ShouldPublishAsync<PersisterDemandChanged>(create.ExperimentId, d => d.ExperimentId, d => d.Status == ExperimentStatus.Finished);
            Assert.Equal([ExperimentStatus.Running, ExperimentStatus.Finished], first.DemandChangesFor(create.ExperimentId).Select(d => d.Status));
        }

        await using var second = await LifecycleHarness.StartAsync(database);

        await second.ShouldReachAsync(create.ExperimentId, m => m.Finished);
        (await second.SendAsync(new ArchiveExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("archived");
        var row = await second.RequiredRowAsync(create.ExperimentId);
        Assert.True(row.Archived);
        Assert.Equal((int)ExperimentStatus.Finished, row.Status);
        Assert.Equal("""["blue","green"]""", row.Variations);
        Assert.Null(row.FinishTimerTokenId);
    }
}
