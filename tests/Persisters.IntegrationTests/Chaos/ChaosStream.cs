using System.Diagnostics;
using MassTransit;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests.Chaos;

/// <summary>
/// One chaos scenario's stream: a live experiment (and a kill-switch rule on its flag), synthetic evaluation events with
/// duplicates and malformed ones, published at a steady pace by a publisher that outlives broker outages (a chunk whose
/// publish failed is published again; the persisters' idempotency makes that harmless), and the exact rows expected.
/// </summary>
public sealed class ChaosStream
{
    private ChaosStream(ServiceUnderTest sut, ExperimentDefinition experiment, AutoOpsRuleDefinition rule, SyntheticTraffic traffic)
    {
        Sut = sut;
        Experiment = experiment;
        Rule = rule;
        Traffic = traffic;
    }

    public ServiceUnderTest Sut { get; }
    public ExperimentDefinition Experiment { get; }
    public AutoOpsRuleDefinition Rule { get; }
    public SyntheticTraffic Traffic { get; }

    public string RowsSql => $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{Experiment.FeatureId}'";
    public string DistinctIdsSql => $"SELECT COUNT(DISTINCT id) FROM evaluation_event WHERE feature_id = '{Experiment.FeatureId}'";
    public string OpsUsersSql => $"SELECT COALESCE(SUM(evaluation_count), 0) FROM ops_count WHERE clause_id = '{Rule.Clauses[0].ClauseId:D}'";

    /// <summary>Distinct users of variation B among the valid events: the kill-switch clause's exact count.</summary>
    public long ExpectedOpsUsers => Traffic.ValidEvaluations.Where(e => e.VariationId == "B").Select(e => e.UserId).Distinct().Count();

    public static async Task<ChaosStream> CreateAsync(ServiceUnderTest sut, string run, int events, int seed, bool seedDefinitions = true)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("chaos", run + "-" + Guid.NewGuid().ToString("N")[..6], now);
        var rule = new AutoOpsRuleDefinition
        {
            RuleId = Guid.NewGuid(), EnvironmentId = experiment.EnvironmentId, FeatureId = experiment.FeatureId, FeatureVersion = experiment.FeatureVersion,
            Status = AutoOpsRuleStatus.Running,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = experiment.GoalIds[0], MinCount = CountingRule.NeverTriggers, Threshold = 0.5 }],
        };
        if (seedDefinitions)
        {
            await sut.SeedAsync(experiment);
            await sut.SeedAsync(rule);
        }
        return new ChaosStream(sut, experiment, rule, SyntheticTraffic.Create(experiment, events, 0.05, 0.01, seed, now));
    }

    /// <summary>Publishes every event, <paramref name="chunk"/> at a time every <paramref name="pause"/>, retrying a chunk until the broker takes it.</summary>
    public async Task PublishAsync(int chunk, TimeSpan pause, CancellationToken cancellationToken = default)
    {
        foreach (var part in Traffic.Evaluations.Chunk(chunk))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(15));
                    await Sut.Bus.PublishBatch(part, timeout.Token);
                    break;
                }
                catch (Exception) when (attempt < 120 && !cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                }
            }
            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>Waits until the stored rows reach <paramref name="atLeast"/>.</summary>
    public async Task WaitForRowsAsync(long atLeast, TimeSpan patience)
    {
        var watch = Stopwatch.StartNew();
        while (await Sut.Database.ScalarAsync(RowsSql) < atLeast)
        {
            if (watch.Elapsed > patience) throw new TimeoutException($"Fewer than {atLeast} rows after {patience}.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Polls the stored rows (the database may be down meanwhile) until every expected row is there or nothing changed for
    /// <paramref name="patience"/>; returns when the last row arrived, measured from <paramref name="from"/>.
    /// </summary>
    public async Task<TimeSpan> WaitForAllRowsAsync(Stopwatch from, TimeSpan patience)
    {
        var deadline = from.Elapsed + patience;
        while (from.Elapsed < deadline)
        {
            try
            {
                if (await Sut.Database.ScalarAsync(RowsSql) >= Traffic.ExpectedEvaluationRows) return from.Elapsed;
            }
            catch (MySqlConnector.MySqlException)
            {
            }
            await Task.Delay(100);
        }
        return from.Elapsed;
    }

    /// <summary>What the broker holds for the evaluation persisters (for a failure message).</summary>
    public async Task<string> DescribeQueuesAsync()
    {
        var parts = new List<string>();
        foreach (var queue in new[] { Consumers.PersisterQueues.EvaluationDwh, Consumers.PersisterQueues.EvaluationOps }.SelectMany(q => new[] { q, q + "_error" }))
        {
            try
            {
                var (messages, consumers) = await Sut.VirtualHost.QueueAsync(queue);
                parts.Add($"{queue}: {await Sut.QueueDepthAsync(queue)} ready, {messages} in all, {consumers} consumer(s)");
            }
            catch (Exception ex)
            {
                parts.Add($"{queue}: {ex.GetType().Name} {ex.Message}");
            }
        }
        return string.Join("; ", parts);
    }

    /// <summary>Exact rows, none lost, none twice, and (with <paramref name="ops"/>) the kill-switch's exact distinct users.</summary>
    public async Task AssertExactAsync(bool ops = true)
    {
        var rows = await Sut.WaitForCountAsync(RowsSql, Traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(1));
        Assert.True(Traffic.Duplicates > 0 && Traffic.Malformed > 0, "the stream must hold duplicates and malformed events");
        if (rows != Traffic.ExpectedEvaluationRows) Assert.Fail($"{rows} of {Traffic.ExpectedEvaluationRows} rows stored; {await DescribeQueuesAsync()}");
        Assert.Equal(rows, await Sut.Database.ScalarAsync(DistinctIdsSql));
        if (!ops) return;
        var opsUsers = await Sut.WaitForCountAsync(OpsUsersSql, ExpectedOpsUsers, TimeSpan.FromMinutes(1));
        if (opsUsers != ExpectedOpsUsers) Assert.Fail($"{opsUsers} of {ExpectedOpsUsers} distinct users counted; {await DescribeQueuesAsync()}");
    }
}
