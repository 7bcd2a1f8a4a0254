using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 11, item 6: a real host's <c>/metrics</c>, scraped once after a backlog that was waiting before the host started,
/// checked against README.md's metrics table (names, labels) and against what was sent (values).
/// </summary>
public sealed class When_metrics_are_scraped(ITestOutputHelper output)
{
    private const string EvaluationDwh = PersisterQueues.EvaluationDwh, GoalDwh = PersisterQueues.GoalDwh;
    private const string EvaluationOps = PersisterQueues.EvaluationOps, GoalOps = PersisterQueues.GoalOps;

    [Fact]
    public async Task Every_documented_series_is_exported_with_its_labels_and_counts_each_event_once_per_outcome_from_the_start()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        // Parked goals are retried every second and expire after 10 s, so every outcome happens within the test.
        sut.Environment["Persisters__GoalRetry__InitialInterval"] = "00:00:01";
        sut.Environment["Persisters__GoalRetry__PollInterval"] = "00:00:01";
        sut.Environment["Persisters__GoalRetry__MaxPeriod"] = "00:00:10";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = Host.Cli.SyntheticTraffic.Experiment("it-metrics", Guid.NewGuid().ToString("N")[..10], now);
        var rule = new AutoOpsRuleDefinition
        {
            RuleId = Guid.NewGuid(), EnvironmentId = experiment.EnvironmentId, FeatureId = experiment.FeatureId, FeatureVersion = experiment.FeatureVersion,
            Status = AutoOpsRuleStatus.Running,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = experiment.GoalIds[0], MinCount = CountingRule.NeverTriggers, Threshold = 0.5 }],
        };
        EvaluationEvent Evaluation(string id, string user, long timestamp) => new()
        {
            Id = id, EnvironmentId = experiment.EnvironmentId, Timestamp = timestamp, FeatureId = experiment.FeatureId,
            FeatureVersion = experiment.FeatureVersion, UserId = user, VariationId = user.GetHashCode() % 2 == 0 ? "A" : "B",
            Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
        };
        GoalEvent Goal(string id, string user) => new()
        {
            Id = id, EnvironmentId = experiment.EnvironmentId, Timestamp = now - 50, GoalId = experiment.GoalIds[0], UserId = user, SourceId = SourceId.GoServer,
        };

        // Waiting before the host starts: valid events, resent ids, events without an id, events before the experiment.
        const int valid = 200, resent = 20, withoutId = 10, early = 5;
        var evaluations = Enumerable.Range(0, valid).Select(i => Evaluation($"ev-{i}", $"user-{i % 80}", now - 100)).ToList();
        evaluations.AddRange(evaluations.Take(resent).ToList());
        evaluations.AddRange(Enumerable.Range(0, withoutId).Select(i => Evaluation("", $"user-{i}", now - 100)));
        evaluations.AddRange(Enumerable.Range(0, early).Select(i => Evaluation($"early-{i}", $"user-{i}", experiment.StartAt - 10)));
        // Goals: of users with an evaluation (stored), of users who never get one (parked, then expired), of users whose
        // evaluation comes later (parked, then linked).
        const int linkedAtOnce = 30, expiring = 7, linkedLater = 6;
        var goals = Enumerable.Range(0, linkedAtOnce).Select(i => Goal($"goal-{i}", $"user-{i}"))
            .Concat(Enumerable.Range(0, expiring).Select(i => Goal($"ghost-goal-{i}", $"ghost-{i}")))
            .Concat(Enumerable.Range(0, linkedLater).Select(i => Goal($"late-goal-{i}", $"late-{i}"))).ToList();

        var first = await sut.StartHostAsync(); // declares the queues; nothing is live yet
        await first.StopAsync();
        await sut.PublishAsync(evaluations);
        await sut.SeedAsync(experiment);
        await sut.SeedAsync(rule);
        await using var host = await sut.StartHostAsync();
        var evaluationSql = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'";
        Assert.Equal(valid, await sut.WaitForCountAsync(evaluationSql, valid, TimeSpan.FromMinutes(1)));
        await sut.PublishAsync(goals);
        Assert.Equal(expiring + linkedLater, await sut.WaitForCountAsync("SELECT COUNT(*) FROM goal_event_retry", expiring + linkedLater, TimeSpan.FromMinutes(1)));
        var late = Enumerable.Range(0, linkedLater).Select(i => Evaluation($"late-ev-{i}", $"late-{i}", now - 100)).ToList();
        await sut.PublishAsync(late);
        var goalSql = $"SELECT COUNT(*) FROM goal_event WHERE experiment_id = '{experiment.ExperimentId:D}'";
        Assert.Equal(linkedAtOnce + linkedLater, await WaitForAsync(sut, goalSql, linkedAtOnce + linkedLater));
        Assert.Equal(0, await WaitForAsync(sut, "SELECT COUNT(*) FROM goal_event_retry", 0));
        var opsUsers = await sut.Database.ScalarAsync($"SELECT COALESCE(SUM(evaluation_count), 0) FROM ops_count WHERE clause_id = '{rule.Clauses[0].ClauseId:D}'");

        // The first scrape of this process.
        var text = await host.GetAsync("/metrics");
        var samples = PrometheusText.Parse(text);
        output.WriteLine(string.Join("\n", text.Split('\n').Where(l => l.StartsWith("persisters_"))));

        // Names and labels: exactly the README's metrics table, and every series the outcome table names is in it.
        var table = ReadmeTables.Table("### Metrics").Select(r => (Name: ReadmeTables.Code(r[0]).Single(), Type: r[1], Labels: ReadmeTables.Code(r[2]))).ToList();
        foreach (var (name, type, labels) in table)
        {
            var series = type == "histogram" ? [name + "_bucket", name + "_sum", name + "_count"] : new[] { name };
            foreach (var s in series)
            {
                var found = samples.Where(x => x.Name == s).ToList();
                Assert.True(found.Count > 0, $"README.md documents {s}; /metrics has no such series.");
                foreach (var sample in found)
                {
                    var exported = sample.Labels.Keys.Where(k => !k.StartsWith("otel_scope_") && !(s.EndsWith("_bucket") && k == "le")).Order().ToList();
                    Assert.True(exported.SequenceEqual(labels.Order()), $"{s} has labels [{string.Join(",", exported)}]; README.md documents [{string.Join(",", labels)}].");
                }
            }
        }
        var outcomeSeries = ReadmeTables.Table("### What happens to each event").SelectMany(r => ReadmeTables.Code(r[^1]))
            .Where(c => c.StartsWith("persisters_")).Select(c => c.Split('{')[0]).Distinct().ToList();
        Assert.NotEmpty(outcomeSeries);
        Assert.All(outcomeSeries, s => Assert.Contains(s, table.Select(t => t.Name)));
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("persisters_persisters_"));

        // Values: each event once per outcome, the start-up backlog included.
        double Sum(string name, params (string, string)[] labels) => samples.Sum(name, labels);
        var delivered = evaluations.Count + late.Count;
        Assert.Equal(delivered, Sum("persisters_events_received_total", ("persister", EvaluationDwh)));
        Assert.Equal(delivered, Sum("persisters_events_received_total", ("persister", EvaluationOps)));
        Assert.Equal(goals.Count, Sum("persisters_events_received_total", ("persister", GoalDwh)));
        Assert.Equal(goals.Count, Sum("persisters_events_received_total", ("persister", GoalOps)));
        Assert.Equal(valid + linkedLater, Sum("persisters_rows_written_total", ("persister", EvaluationDwh)));
        Assert.Equal(resent, Sum("persisters_events_duplicate_total", ("persister", EvaluationDwh)));
        Assert.Equal(withoutId, Sum("persisters_events_skipped_total", ("persister", EvaluationDwh), ("reason", "missing_id")));
        Assert.Equal(early, Sum("persisters_events_skipped_total", ("persister", EvaluationDwh), ("reason", "before_experiment_started")));
        Assert.Equal(delivered, Sum("persisters_rows_written_total", ("persister", EvaluationDwh)) + Sum("persisters_events_duplicate_total", ("persister", EvaluationDwh))
            + Sum("persisters_events_skipped_total", ("persister", EvaluationDwh)));
        Assert.Equal(linkedAtOnce + linkedLater, Sum("persisters_rows_written_total", ("persister", GoalDwh)));
        Assert.Equal(expiring + linkedLater, Sum("persisters_goal_retries_total", ("outcome", "parked")));
        Assert.Equal(linkedLater, Sum("persisters_goal_retries_total", ("outcome", "linked")));
        Assert.Equal(expiring, Sum("persisters_goal_retries_total", ("outcome", "expired")));
        Assert.Equal(expiring, Sum("persisters_events_skipped_total", ("persister", GoalDwh), ("reason", "retry_expired")));
        Assert.Equal(opsUsers, Sum("persisters_ops_distinct_users_added_total", ("persister", EvaluationOps)));
        Assert.True(Sum("persisters_batch_duration_seconds_count", ("persister", EvaluationDwh)) >= 1);
        Assert.Equal(4, Sum("persisters_connected_endpoints"));
        Assert.Equal(TimeSpan.FromDays(2).TotalSeconds, Sum("persisters_queue_retention_seconds"));
    }

    private static async Task<long> WaitForAsync(ServiceUnderTest sut, string sql, long expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        long count;
        while ((count = await sut.Database.ScalarAsync(sql)) != expected && DateTime.UtcNow < deadline) await Task.Delay(250);
        return count;
    }
}
