using Persisters.Contracts;

namespace Persisters.Host.Cli;

/// <summary>
/// Reproducible synthetic traffic for one experiment: evaluation events, then goal events of some of
/// the evaluated users, with a share of exact duplicates (same id) and of malformed events, and the
/// number of rows a correct persister must end with.
/// </summary>
public sealed class SyntheticTraffic
{
    private SyntheticTraffic(List<EvaluationEvent> evaluations, List<GoalEvent> goals, List<EvaluationEvent> validEvaluations, List<GoalEvent> validGoals,
        int duplicates, int malformed)
    {
        Evaluations = evaluations;
        Goals = goals;
        ValidEvaluations = validEvaluations;
        ValidGoals = validGoals;
        ExpectedEvaluationRows = validEvaluations.Select(e => e.Id).Distinct().Count();
        ExpectedGoalRows = validGoals.Select(g => g.Id).Distinct().Count();
        Duplicates = duplicates;
        Malformed = malformed;
    }

    /// <summary>The well-formed events, each once.</summary>
    public IReadOnlyList<EvaluationEvent> ValidEvaluations { get; }
    public IReadOnlyList<GoalEvent> ValidGoals { get; }

    public IReadOnlyList<EvaluationEvent> Evaluations { get; }
    public IReadOnlyList<GoalEvent> Goals { get; }
    public int ExpectedEvaluationRows { get; }
    public int ExpectedGoalRows { get; }
    public int Duplicates { get; }
    public int Malformed { get; }

    /// <summary>A running experiment on a flag of its own, so runs never see each other's rows.</summary>
    public static ExperimentDefinition Experiment(string environmentId, string runId, long nowUnix) => new()
    {
        ExperimentId = Guid.NewGuid(),
        EnvironmentId = environmentId,
        Name = $"load {runId}",
        FeatureId = $"load-feature-{runId}",
        FeatureVersion = 1,
        VariationIds = ["A", "B"],
        BaselineVariationId = "A",
        GoalIds = [$"load-goal-{runId}"],
        StartAt = nowUnix - 3600,
        StopAt = nowUnix + 86400,
        Status = ExperimentStatus.Running,
    };

    public static SyntheticTraffic Create(ExperimentDefinition experiment, int evaluationEvents, double duplicateShare, double malformedShare,
        int seed, long nowUnix, double conversion = 0.3)
    {
        var random = new Random(seed);
        var users = Math.Max(1, evaluationEvents / 2);
        var evaluations = new List<EvaluationEvent>(evaluationEvents + 16);
        var validEvaluations = new List<EvaluationEvent>();
        var firstSeen = new Dictionary<string, long>();
        int duplicates = 0, malformed = 0;
        var windowStart = experiment.StartAt + 1;
        var windowEnd = Math.Min(experiment.StopAt, nowUnix - 120);

        for (var i = 0; i < evaluationEvents; i++)
        {
            var roll = random.NextDouble();
            if (roll < duplicateShare && validEvaluations.Count > 0)
            {
                evaluations.Add(validEvaluations[random.Next(validEvaluations.Count)]);
                duplicates++;
                continue;
            }
            var user = $"user-{random.Next(users)}";
            var e = new EvaluationEvent
            {
                Id = $"{experiment.FeatureId}-e{i}-{random.Next():x}",
                EnvironmentId = experiment.EnvironmentId,
                Timestamp = random.NextInt64(windowStart, windowEnd),
                FeatureId = experiment.FeatureId,
                FeatureVersion = experiment.FeatureVersion,
                UserId = user,
                User = new UserInfo { Id = user, Data = new Dictionary<string, string> { ["plan"] = (i % 3).ToString() } },
                VariationId = experiment.VariationIds[Bucket(user, experiment.VariationIds.Count)],
                Reason = ReasonType.Rule,
                Tag = "web",
                SourceId = SourceId.Javascript,
                SdkVersion = "1.0.0",
            };
            if (roll < duplicateShare + malformedShare)
            {
                evaluations.Add(Break(e, malformed++));
                continue;
            }
            evaluations.Add(e);
            validEvaluations.Add(e);
            firstSeen[user] = Math.Min(firstSeen.GetValueOrDefault(user, long.MaxValue), e.Timestamp);
        }

        var goals = new List<GoalEvent>();
        var validGoals = new List<GoalEvent>();
        var goalIndex = 0;
        foreach (var (user, first) in firstSeen.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (random.NextDouble() >= conversion) continue;
            var roll = random.NextDouble();
            if (roll < duplicateShare && validGoals.Count > 0)
            {
                goals.Add(validGoals[random.Next(validGoals.Count)]);
                duplicates++;
            }
            var g = new GoalEvent
            {
                Id = $"{experiment.FeatureId}-g{goalIndex++}-{random.Next():x}",
                EnvironmentId = experiment.EnvironmentId,
                Timestamp = Math.Min(nowUnix, first + random.Next(1, 60)),
                GoalId = experiment.GoalIds[0],
                UserId = user,
                Value = Math.Round(random.NextDouble() * 100, 2),
                Tag = "web",
                SourceId = SourceId.Javascript,
                SdkVersion = "1.0.0",
            };
            if (random.NextDouble() < malformedShare)
            {
                goals.Add(Break(g, malformed++));
                continue;
            }
            goals.Add(g);
            validGoals.Add(g);
        }

        return new SyntheticTraffic(evaluations, goals, validEvaluations, validGoals, duplicates, malformed);
    }

    /// <summary>A stable variation per user (string.GetHashCode differs between processes).</summary>
    private static int Bucket(string user, int buckets)
    {
        uint h = 2166136261;
        foreach (var c in user) h = (h ^ c) * 16777619;
        return (int)(h % (uint)buckets);
    }

    private static EvaluationEvent Break(EvaluationEvent e, int n) => (n % 5) switch
    {
        0 => e with { Id = "" },
        1 => e with { EnvironmentId = "" },
        2 => e with { Timestamp = e.Timestamp + 365L * 86400 * 10 },
        3 => e with { UserId = new string('u', 300), User = null },
        _ => e with { FeatureId = "" },
    };

    private static GoalEvent Break(GoalEvent g, int n) => (n % 5) switch
    {
        0 => g with { Id = "" },
        1 => g with { EnvironmentId = "" },
        2 => g with { Timestamp = g.Timestamp + 365L * 86400 * 10 },
        3 => g with { UserId = new string('u', 300), User = null },
        _ => g with { GoalId = "" },
    };
}
