using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

public sealed class When_events_flow_through_a_broker_into_MariaDb
{
    private static AutoOpsRuleDefinition KillSwitch(ExperimentDefinition experiment) => new()
    {
        RuleId = Guid.NewGuid(),
        EnvironmentId = experiment.EnvironmentId,
        FeatureId = experiment.FeatureId,
        FeatureVersion = experiment.FeatureVersion,
        Status = AutoOpsRuleStatus.Running,
        Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = experiment.GoalIds[0], MinCount = CountingRule.NeverTriggers, Threshold = 0.5 }],
    };

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AmazonSqs)]
    [InlineData(Broker.AzureServiceBus)]
    [InlineData(Broker.AmazonSqsDefaults)]
    [InlineData(Broker.AzureServiceBusDefaults)]
    public async Task Events_with_duplicates_and_malformed_ones_give_exactly_the_expected_rows_and_counts(Broker broker)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "exact", now);
        var rule = KillSwitch(experiment);
        await sut.SeedAsync(experiment);
        await sut.SeedAsync(rule);
        var traffic = SyntheticTraffic.Create(experiment, 6000, 0.05, 0.01, seed: 7, now);
        await using var host = await sut.StartHostAsync();

        await sut.PublishAsync(traffic.Evaluations);
        var evaluations = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'",
            traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(2));
        await sut.PublishAsync(traffic.Goals);
        var goals = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM goal_event WHERE experiment_id = '{experiment.ExperimentId:D}'",
            traffic.ExpectedGoalRows, TimeSpan.FromMinutes(2));

        Assert.True(traffic.Duplicates > 100 && traffic.Malformed > 20, "the traffic must hold duplicates and malformed events");
        Assert.Equal(traffic.ExpectedEvaluationRows, evaluations);
        Assert.Equal(traffic.ExpectedGoalRows, goals);

        // Exact distinct users for the kill switch, computed here from what was sent.
        var clause = rule.Clauses[0].ClauseId.ToString("D");
        var usersOfB = traffic.ValidEvaluations.Where(e => e.VariationId == "B").Select(e => e.UserId).Distinct().Count();
        var goalUsers = traffic.ValidGoals.Select(g => g.UserId).Distinct().Count();
        Assert.Equal(usersOfB, await sut.WaitForCountAsync($"SELECT COALESCE(SUM(evaluation_count), 0) FROM ops_count WHERE clause_id = '{clause}'", usersOfB, TimeSpan.FromSeconds(30)));
        Assert.Equal(goalUsers, await sut.WaitForCountAsync($"SELECT COALESCE(SUM(ops_event_count), 0) FROM ops_count WHERE clause_id = '{clause}'", goalUsers, TimeSpan.FromSeconds(30)));

        // Every goal row carries the variation its user was served.
        var mismatched = await sut.Database.ScalarAsync(
            "SELECT COUNT(*) FROM goal_event g WHERE NOT EXISTS (SELECT 1 FROM evaluation_event e WHERE e.user_id = g.user_id " +
            "AND e.feature_id = g.feature_id AND e.variation_id = g.variation_id AND e.timestamp <= g.timestamp)");
        Assert.Equal(0, mismatched);
    }

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AmazonSqs)]
    [InlineData(Broker.AzureServiceBus)]
    public async Task A_host_killed_mid_stream_and_restarted_loses_nothing_and_duplicates_nothing(Broker broker)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "crash", now);
        var rule = KillSwitch(experiment);
        await sut.SeedAsync(experiment);
        await sut.SeedAsync(rule);
        var traffic = SyntheticTraffic.Create(experiment, 30_000, 0.05, 0.0, seed: 11, now);
        var countSql = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'";

        var host = await sut.StartHostAsync();
        var publishing = sut.PublishAsync(traffic.Evaluations);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await sut.Database.ScalarAsync(countSql) < traffic.ExpectedEvaluationRows / 5 && DateTime.UtcNow < deadline) await Task.Delay(50);
        var atKill = await sut.Database.ScalarAsync(countSql);
        host.Kill();
        await host.DisposeAsync();
        await publishing;

        Assert.InRange(atKill, 1, traffic.ExpectedEvaluationRows - 1); // killed mid-stream, not before or after
        await using var restarted = await sut.StartHostAsync();
        var rows = await sut.WaitForCountAsync(countSql, traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(3));

        Assert.Equal(traffic.ExpectedEvaluationRows, rows);
        var usersOfB = traffic.ValidEvaluations.Where(e => e.VariationId == "B").Select(e => e.UserId).Distinct().Count();
        Assert.Equal(usersOfB, await sut.WaitForCountAsync(
            $"SELECT COALESCE(SUM(evaluation_count), 0) FROM ops_count WHERE clause_id = '{rule.Clauses[0].ClauseId:D}'", usersOfB, TimeSpan.FromSeconds(60)));
        var distinctIds = await sut.Database.ScalarAsync($"SELECT COUNT(DISTINCT id) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'");
        Assert.Equal(rows, distinctIds);
    }

    [Fact]
    public async Task Events_sent_in_envelopes_give_the_same_exact_rows()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "envelopes", now);
        await sut.SeedAsync(experiment);
        var traffic = SyntheticTraffic.Create(experiment, 6000, 0.05, 0.01, seed: 5, now);
        await using var host = await sut.StartHostAsync();

        await sut.PublishAsync(traffic.Evaluations.Chunk(50).Select(c => new EvaluationEventBatch { Events = c }).ToList());
        var evaluations = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'",
            traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(2));
        await sut.PublishAsync(traffic.Goals.Chunk(50).Select(c => new GoalEventBatch { Events = c }).ToList());
        var goals = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM goal_event WHERE experiment_id = '{experiment.ExperimentId:D}'",
            traffic.ExpectedGoalRows, TimeSpan.FromMinutes(2));

        Assert.Equal(traffic.ExpectedEvaluationRows, evaluations);
        Assert.Equal(traffic.ExpectedGoalRows, goals);
    }
}
