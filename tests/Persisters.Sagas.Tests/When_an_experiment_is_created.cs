using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_an_experiment_is_created
{
    [Fact]
    public async Task It_waits_for_its_start_and_is_stored_as_a_waiting_experiment_row()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = Experiments.Create();

        var accepted = (await h.SendAsync(create)).ShouldBeAccepted("created");

        Assert.Equal(ExperimentStatus.Waiting, accepted.Status);
        await h.ShouldReachAsync(create.ExperimentId, m => m.Waiting);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Waiting, row.Status);
        Assert.Equal("env-1", row.EnvironmentId);
        Assert.Equal("checkout button colour", row.Name);
        Assert.Equal("checkout-button", row.FeatureId);
        Assert.Equal(3, row.FeatureVersion);
        Assert.Equal("""["blue","green"]""", row.Variations);
        Assert.Equal("blue", row.BaseVariationId);
        Assert.Equal("""["purchase","add-to-cart"]""", row.GoalIds);
        Assert.Equal(create.StartAt, row.StartAt);
        Assert.Equal(create.StopAt, row.StopAt);
        Assert.Null(row.StoppedAt);
        Assert.False(row.Archived);
        Assert.Equal(1, row.Version);
        Assert.NotNull(row.StartTimerTokenId);
        Assert.Null(row.StopTimerTokenId);
        var created = Assert.Single(h.PublishedFor<ExperimentCreated>(create.ExperimentId, e => e.ExperimentId));
        Assert.Equal(["purchase", "add-to-cart"], created.GoalIds);
        Assert.Empty(h.DemandChangesFor(create.ExperimentId));
    }

    [Fact]
    public async Task It_starts_at_once_when_its_start_has_passed_and_the_persisters_are_needed()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = Experiments.CreateRunning();

        var accepted = (await h.SendAsync(create)).ShouldBeAccepted("created and started");

        Assert.Equal(ExperimentStatus.Running, accepted.Status);
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((int)ExperimentStatus.Running, row.Status);
        Assert.Equal(create.StartAt, row.StartAt);
        Assert.NotNull(row.StopTimerTokenId);
        Assert.Null(row.StartTimerTokenId);
        Assert.Single(h.PublishedFor<ExperimentStarted>(create.ExperimentId, e => e.ExperimentId));
        var demand = Assert.Single(h.DemandChangesFor(create.ExperimentId));
        Assert.Equal(ExperimentStatus.Running, demand.Status);
        Assert.True(demand.IsLive);
        Assert.Equal("env-1", demand.EnvironmentId);
    }

    [Fact]
    public async Task A_repeated_create_is_accepted_as_already_created_and_changes_nothing()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        var again = (await h.SendAsync(create)).ShouldBeAccepted("already created");

        Assert.Equal(ExperimentStatus.Waiting, again.Status);
        Assert.Equal(1, (await h.RequiredRowAsync(create.ExperimentId)).Version);
        Assert.Single(h.PublishedFor<ExperimentCreated>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_create_of_another_experiment_with_a_used_id_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = await h.CreateAsync(Experiments.Create());

        var rejected = (await h.SendAsync(create with { FeatureId = "another-flag" })).ShouldBeRejected("another experiment already has this id");

        Assert.Equal(ExperimentStatus.Waiting, rejected.Status);
        Assert.Equal("checkout-button", (await h.RequiredRowAsync(create.ExperimentId)).FeatureId);
    }

    public static TheoryData<string, Func<CreateExperiment, CreateExperiment>, string> InvalidCreates => new()
    {
        { "stop before start", c => c with { StopAt = c.StartAt - 1 }, "must be after start_at" },
        { "stop equal to start", c => c with { StopAt = c.StartAt }, "must be after start_at" },
        { "stop in the past", c => c with { StartAt = Experiments.Now - 7200, StopAt = Experiments.Now - 3600 }, "is not in the future" },
        { "baseline not a variation", c => c with { BaselineVariationId = "red" }, "baseline variation 'red' is not among the variations" },
        { "no variations", c => c with { VariationIds = [] }, "no variations" },
        { "duplicate variations", c => c with { VariationIds = ["blue", "blue"] }, "variation ids are not unique" },
        { "empty variation id", c => c with { VariationIds = ["blue", " "] }, "a variation id is empty" },
        { "no goals", c => c with { GoalIds = [] }, "no goals" },
        { "empty goal id", c => c with { GoalIds = [""] }, "a goal id is empty" },
        { "empty environment", c => c with { EnvironmentId = "" }, "environment id is empty" },
        { "environment too long", c => c with { EnvironmentId = new string('e', 65) }, "environment id is longer than 64 characters" },
        { "empty name", c => c with { Name = "" }, "name is empty" },
        { "empty feature", c => c with { FeatureId = "" }, "feature id is empty" },
        { "negative feature version", c => c with { FeatureVersion = -1 }, "feature version is negative" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task An_invalid_create_is_rejected_with_its_reason_and_leaves_no_row(string _, Func<CreateExperiment, CreateExperiment> spoil, string reason)
    {
        await using var h = await LifecycleHarness.StartAsync();
        var create = spoil(Experiments.Create());

        var rejected = (await h.SendAsync(create)).ShouldBeRejected(reason);

        Assert.Equal(create.ExperimentId, rejected.ExperimentId);
        Assert.Equal(nameof(CreateExperiment), rejected.Command);
        Assert.Null(rejected.Status);
        Assert.Null(await h.RowAsync(create.ExperimentId));
        Assert.Empty(h.PublishedFor<ExperimentCreated>(create.ExperimentId, e => e.ExperimentId));
    }

    [Fact]
    public async Task A_create_with_an_empty_id_is_rejected()
    {
        await using var h = await LifecycleHarness.StartAsync();

        var rejected = (await h.SendAsync(Experiments.Create(Guid.Empty))).ShouldBeRejected();

        Assert.Contains("experiment id is empty", rejected.Reason);
        Assert.Null(await h.RowAsync(Guid.Empty));
    }

    [Fact]
    public async Task Parallel_creates_of_one_experiment_leave_one_row_and_one_created_answer()
    {
        var widener = new RaceWidener(TimeSpan.FromMilliseconds(30));
        await using var h = await LifecycleHarness.StartAsync(concurrentMessageLimit: 10, raceWidener: widener);

        await ParallelCreates.ShouldCreateOnceAsync(h);
    }
}

/// <summary>Shared by the SQLite and MariaDB runs.</summary>
internal static class ParallelCreates
{
    public static async Task ShouldCreateOnceAsync(LifecycleHarness h)
    {
        var create = Experiments.Create();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => h.SendAsync(create)));

        var details = answers.Select(a => a.ShouldBeAccepted().Detail).ToList();
        Assert.Equal(1, details.Count(d => d == "created"));
        Assert.Equal(9, details.Count(d => d == "already created"));
        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(1, row.Version);
        Assert.Single(h.PublishedFor<ExperimentCreated>(create.ExperimentId, e => e.ExperimentId));
    }
}
