using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_the_host_restarts
{
    [Fact]
    public async Task The_experiment_state_is_read_back_from_the_database_by_a_new_host()
    {
        await using var database = TestDatabase.Sqlite();
        var create = Experiments.CreateRunning();
        await using (var first = await LifecycleHarness.StartAsync(database))
        {
            await first.CreateAsync(create);
        }

        await using var second = await LifecycleHarness.StartAsync(database);

        await second.ShouldReachAsync(create.ExperimentId, m => m.Running);
        (await second.SendAsync(new StartExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("already running");
        (await second.SendAsync(create)).ShouldBeAccepted("already created");
        (await second.SendAsync(new StopExperiment { ExperimentId = create.ExperimentId })).ShouldBeAccepted("stopped");
        var row = await second.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Stopped, row.Status);
        Assert.Equal(2, row.Version);
        Assert.Empty(second.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_row_written_before_the_saga_existed_is_taken_over_by_its_status()
    {
        await using var database = TestDatabase.Sqlite();
        var id = Guid.NewGuid();
        await using var h = await LifecycleHarness.StartAsync(database);
        await h.Provider.GetService<Persisters.Persistence.DefinitionStore>()!.UpsertExperimentAsync(new ExperimentDefinition
        {
            ExperimentId = id,
            EnvironmentId = "env-1",
            Name = "seeded",
            FeatureId = "flag",
            FeatureVersion = 1,
            VariationIds = ["a", "b"],
            BaselineVariationId = "a",
            GoalIds = ["g"],
            StartAt = Experiments.Now - 60,
            StopAt = Experiments.Now + 3600,
            Status = ExperimentStatus.Running,
        }, Experiments.Now, CancellationToken.None);

        (await h.SendAsync(new StopExperiment { ExperimentId = id })).ShouldBeAccepted("stopped");

        var row = await h.RequiredRowAsync(id);
        Assert.Equal((int)ExperimentStatus.Stopped, row.Status);
        Assert.Equal(1, row.Version);
        Assert.Equal("""["a","b"]""", row.Variations);
    }
}
