namespace Persisters.Persistence.Writers;

/// <summary>One stored evaluation of a user: the variation they saw, and when.</summary>
public sealed record EvaluationLink(string UserId, long Timestamp, string VariationId, string Reason);
