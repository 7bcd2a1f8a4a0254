namespace Persisters.Persistence.Model;

/// <summary>The set behind the exact distinct-user counts: one row per (clause, kind, version, user).</summary>
public sealed class OpsUserRow
{
    public Guid ClauseId { get; set; }
    /// <summary>0 = evaluation, 1 = goal.</summary>
    public byte Kind { get; set; }
    public int FeatureVersion { get; set; }
    public string UserId { get; set; } = "";
}
