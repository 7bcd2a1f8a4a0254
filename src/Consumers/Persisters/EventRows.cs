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

    /// <summary>The row of a valid, needed evaluation; <paramref name="userId"/> and <paramref name="userData"/> as <see cref="EventValidator"/> gave them.</summary>
    public static EvaluationEventRow Evaluation(EvaluationEvent e, string userId, string? userData, long nowMs) => new()
    {
        Id = e.Id,
        EnvironmentId = e.EnvironmentId,
        Timestamp = e.Timestamp,
        FeatureId = e.FeatureId,
        FeatureVersion = e.FeatureVersion,
        UserId = userId,
        UserData = userData,
        VariationId = Variation(e.VariationId),
        Reason = e.Reason.ToString().ToUpperInvariant(),
        Tag = Tag(e.Tag),
        SourceId = e.SourceId.ToString().ToUpperInvariant(),
        SdkVersion = e.SdkVersion,
        CreatedAt = nowMs,
    };

    /// <summary>The row of a goal linked to one experiment through the user's evaluation <paramref name="link"/>.</summary>
    public static GoalEventRow Goal(GoalCandidate c, EvaluationLink link, long nowMs) => new()
    {
        Id = c.Event.Id,
        ExperimentId = c.Experiment.ExperimentId,
        EnvironmentId = c.Event.EnvironmentId,
        Timestamp = c.Event.Timestamp,
        GoalId = c.Event.GoalId,
        Value = c.Event.Value,
        UserId = c.UserId,
        UserData = c.UserData,
        Tag = Tag(c.Event.Tag),
        SourceId = c.Event.SourceId.ToString().ToUpperInvariant(),
        SdkVersion = c.Event.SdkVersion,
        FeatureId = c.Experiment.FeatureId,
        FeatureVersion = c.Experiment.FeatureVersion,
        VariationId = link.VariationId,
        Reason = link.Reason,
        CreatedAt = nowMs,
    };
}
