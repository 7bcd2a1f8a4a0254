using System.Text.Json;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Sagas.Persistence;

/// <summary>
/// The saga instance is the <c>experiment</c> row. The state is stored only as <c>status</c> (one state per status,
/// no second column that could disagree with the one the persisters filter on); lists are JSON as
/// <see cref="Persisters.Persistence.DefinitionStore"/> writes them.
/// </summary>
public static class ExperimentStateMapping
{
    private static readonly JsonSerializerOptions Json = StoredJson.Options; // the stored form the persisters read too

    /// <summary>The status stored for a state; throws for Initial and Final, which are never stored.</summary>
    public static ExperimentStatus ToStatus(string state) =>
        TryToStatus(state) ?? throw new InvalidOperationException($"The experiment state '{state}' has no stored status.");

    public static ExperimentStatus? TryToStatus(string? state) => state switch
    {
        nameof(ExperimentLifecycle.Waiting) => ExperimentStatus.Waiting,
        nameof(ExperimentLifecycle.Running) => ExperimentStatus.Running,
        nameof(ExperimentLifecycle.Stopped) => ExperimentStatus.Stopped,
        nameof(ExperimentLifecycle.ForceStopped) => ExperimentStatus.ForceStopped,
        nameof(ExperimentLifecycle.Finished) => ExperimentStatus.Finished,
        _ => null,
    };

    public static string ToState(int status) => (ExperimentStatus)status switch
    {
        ExperimentStatus.Waiting => nameof(ExperimentLifecycle.Waiting),
        ExperimentStatus.Running => nameof(ExperimentLifecycle.Running),
        ExperimentStatus.Stopped => nameof(ExperimentLifecycle.Stopped),
        ExperimentStatus.ForceStopped => nameof(ExperimentLifecycle.ForceStopped),
        ExperimentStatus.Finished => nameof(ExperimentLifecycle.Finished),
        _ => throw new InvalidOperationException($"The experiment status {status} is unknown."),
    };

    public static ExperimentState ToSaga(ExperimentRow r) => new()
    {
        CorrelationId = r.Id,
        CurrentState = ToState(r.Status),
        Version = r.Version,
        EnvironmentId = r.EnvironmentId,
        Name = r.Name,
        FeatureId = r.FeatureId,
        FeatureVersion = r.FeatureVersion,
        VariationIds = JsonSerializer.Deserialize<List<string>>(r.Variations, Json) ?? [],
        BaselineVariationId = r.BaseVariationId,
        GoalIds = JsonSerializer.Deserialize<List<string>>(r.GoalIds, Json) ?? [],
        StartAt = r.StartAt,
        StopAt = r.StopAt,
        StoppedAt = r.StoppedAt,
        Archived = r.Archived,
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
        StartTimerTokenId = r.StartTimerTokenId,
        StopTimerTokenId = r.StopTimerTokenId,
        FinishTimerTokenId = r.FinishTimerTokenId,
    };

    /// <summary>Copies what the saga decides; the id, version and time stamps are the repository's.</summary>
    public static void CopyTo(ExperimentState s, ExperimentRow r)
    {
        r.Status = (int)ToStatus(s.CurrentState);
        r.SetDefinition(s.EnvironmentId, s.Name, s.FeatureId, s.FeatureVersion, s.VariationIds, s.BaselineVariationId, s.GoalIds, s.StartAt, s.StopAt);
        r.StoppedAt = s.StoppedAt;
        r.Archived = s.Archived;
        r.StartTimerTokenId = s.StartTimerTokenId;
        r.StopTimerTokenId = s.StopTimerTokenId;
        r.FinishTimerTokenId = s.FinishTimerTokenId;
    }
}
