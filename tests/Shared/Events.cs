using Persisters.Contracts;

namespace Persisters.Tests.Support;

/// <summary>Builders for test events and definitions with sensible defaults.</summary>
public static class Events
{
    public const string Env = "env-1";

    public static ExperimentDefinition Experiment(long now, string feature = "flag-1", int version = 1, string goal = "goal-1",
        ExperimentStatus status = ExperimentStatus.Running, long? startAt = null, long? stopAt = null) => new()
        {
            ExperimentId = Guid.NewGuid(),
            EnvironmentId = Env,
            Name = "exp",
            FeatureId = feature,
            FeatureVersion = version,
            VariationIds = ["A", "B"],
            BaselineVariationId = "A",
            GoalIds = [goal],
            StartAt = startAt ?? now - 3600,
            StopAt = stopAt ?? now + 3600,
            Status = status,
        };

    public static EvaluationEvent Evaluation(long timestamp, string user = "u1", string variation = "A", string feature = "flag-1",
        int version = 1, string? id = null) => new()
        {
            Id = id ?? Guid.NewGuid().ToString("N"),
            EnvironmentId = Env,
            Timestamp = timestamp,
            FeatureId = feature,
            FeatureVersion = version,
            UserId = user,
            User = new UserInfo { Id = user, Data = new Dictionary<string, string> { ["country"] = "jp" } },
            VariationId = variation,
            Reason = ReasonType.Rule,
            Tag = "web",
            SourceId = SourceId.Javascript,
            SdkVersion = "2.1.0",
        };

    public static GoalEvent Goal(long timestamp, string user = "u1", string goal = "goal-1", double value = 1.5, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString("N"),
        EnvironmentId = Env,
        Timestamp = timestamp,
        GoalId = goal,
        UserId = user,
        Value = value,
        Tag = "web",
        SourceId = SourceId.Javascript,
        SdkVersion = "2.1.0",
    };
}
