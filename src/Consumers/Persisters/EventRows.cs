using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>Turns events into table rows with the reference's defaults.</summary>
public static class EventRows
{
    public const string NoTag = "none";
    public const string DefaultVariation = "default";

    public static string Tag(string tag) => string.IsNullOrEmpty(tag) ? NoTag : tag;

    public static string Variation(string variationId) => string.IsNullOrEmpty(variationId) ? DefaultVariation : variationId;

    public static EvaluationEventRow Evaluation(EvaluationEvent e, string? userData, long nowMs) => new()
    {
        Id = e.Id,
        EnvironmentId = e.EnvironmentId,
        Timestamp = e.Timestamp,
        FeatureId = e.FeatureId,
        FeatureVersion = e.FeatureVersion,
        UserId = EventValidator.ResolveUserId(e.UserId, e.User),
        UserData = userData,
        VariationId = Variation(e.VariationId),
        Reason = e.Reason.ToString().ToUpperInvariant(),
        Tag = Tag(e.Tag),
        SourceId = e.SourceId.ToString().ToUpperInvariant(),
        SdkVersion = e.SdkVersion,
        CreatedAt = nowMs,
    };

    public static GoalEventRow Goal(GoalEvent e, string? userData, ExperimentDefinition experiment, EvaluationLink link, long nowMs) => new()
    {
        Id = e.Id,
        ExperimentId = experiment.ExperimentId,
        EnvironmentId = e.EnvironmentId,
        Timestamp = e.Timestamp,
        GoalId = e.GoalId,
        Value = e.Value,
        UserId = EventValidator.ResolveUserId(e.UserId, e.User),
        UserData = userData,
        Tag = Tag(e.Tag),
        SourceId = e.SourceId.ToString().ToUpperInvariant(),
        SdkVersion = e.SdkVersion,
        FeatureId = experiment.FeatureId,
        FeatureVersion = experiment.FeatureVersion,
        VariationId = link.VariationId,
        Reason = link.Reason,
        CreatedAt = nowMs,
    };
}
