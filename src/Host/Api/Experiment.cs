using System.Text.Json.Serialization;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Host.Api;

/// <summary>An experiment as the operator API shows it (<c>GET /v1/experiments[/{experimentId}]</c>), read from table <c>experiment</c>.</summary>
/// <param name="StartAt">Planned start, unix seconds.</param>
/// <param name="StopAt">Planned stop, unix seconds (moved to the stop time by stop and force-stop).</param>
/// <param name="StoppedAt">When it was stopped or force-stopped, unix seconds; null while not stopped.</param>
/// <param name="Status">The lifecycle status by name: Waiting, Running, Stopped (taking late events), ForceStopped or Finished.</param>
/// <param name="Archived">Archived experiments are left out of the list unless <c>?all=true</c>.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="UpdatedAt">Unix seconds of the last change.</param>
public sealed record Experiment(
    Guid ExperimentId,
    string Name,
    string EnvironmentId,
    string FeatureId,
    int FeatureVersion,
    IReadOnlyList<string> VariationIds,
    string BaselineVariationId,
    IReadOnlyList<string> GoalIds,
    long StartAt,
    long StopAt,
    long? StoppedAt,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExperimentStatus>))] ExperimentStatus Status,
    bool Archived,
    long CreatedAt,
    long UpdatedAt)
{
    public static Experiment From(ExperimentRow row)
    {
        var d = DefinitionStore.ToDefinition(row);
        return new Experiment(row.Id, row.Name, row.EnvironmentId, row.FeatureId, row.FeatureVersion, d.VariationIds, row.BaseVariationId, d.GoalIds,
            row.StartAt, row.StopAt, row.StoppedAt, d.Status, row.Archived, row.CreatedAt, row.UpdatedAt);
    }
}
