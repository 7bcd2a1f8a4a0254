namespace Persisters.Host.Api;

/// <summary>The answer of <c>POST /v1/experiments/{experimentId}/calculations</c> (202): the calculation was queued.</summary>
/// <param name="Results">Where the new document will be once calculated (its <c>calculatedAt</c> moves).</param>
public sealed record CalculationRequested(Guid ExperimentId, string Results, string Detail);
