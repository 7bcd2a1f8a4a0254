namespace Persisters.Persistence.Writers;

/// <summary>Which counter a user is counted in.</summary>
public sealed record OpsCounterKey(Guid ClauseId, OpsCounterKind Kind, int FeatureVersion, Guid RuleId, string EnvironmentId, string FeatureId);
