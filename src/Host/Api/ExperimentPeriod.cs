namespace Persisters.Host.Api;

/// <summary>Body of <c>POST /v1/experiments/{experimentId}/period</c>.</summary>
/// <param name="StartAt">Unix seconds. A running experiment's start may move earlier, not into the future.</param>
/// <param name="StopAt">Unix seconds; after <paramref name="StartAt"/> and in the future.</param>
public sealed record ExperimentPeriod(long StartAt, long StopAt);
