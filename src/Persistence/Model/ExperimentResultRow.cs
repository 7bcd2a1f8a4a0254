namespace Persisters.Persistence.Model;

/// <summary>One result document per experiment (table <c>experiment_result</c>).</summary>
public sealed class ExperimentResultRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public long UpdatedAt { get; set; }
    public string Data { get; set; } = "{}";
}
