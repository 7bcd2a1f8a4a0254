using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.Calculator;

/// <summary>Rows for the DWH tables, with the defaults of <see cref="Events"/>.</summary>
public static class Rows
{
    public const long Day = 86_400;

    public static EvaluationEventRow Evaluation(long timestamp, string user, string variation, string feature = "flag-1", int version = 1,
        string environment = Events.Env) => new()
        {
            Id = Guid.NewGuid().ToString("N"),
            EnvironmentId = environment,
            Timestamp = timestamp,
            FeatureId = feature,
            FeatureVersion = version,
            UserId = user,
            VariationId = variation,
            Reason = "RULE",
            Tag = "web",
            SourceId = "JAVASCRIPT",
            SdkVersion = "2.1.0",
        };

    public static GoalEventRow Goal(ExperimentDefinition x, long timestamp, string user, string variation, double value, string? goal = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        ExperimentId = x.ExperimentId,
        EnvironmentId = x.EnvironmentId,
        Timestamp = timestamp,
        GoalId = goal ?? x.GoalIds[0],
        Value = value,
        UserId = user,
        Tag = "web",
        SourceId = "JAVASCRIPT",
        SdkVersion = "2.1.0",
        FeatureId = x.FeatureId,
        FeatureVersion = x.FeatureVersion,
        VariationId = variation,
        Reason = "RULE",
    };
}
