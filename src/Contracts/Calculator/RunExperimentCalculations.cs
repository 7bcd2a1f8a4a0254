namespace Persisters.Contracts;

/// <summary>The calculator's recurring tick: sends one <see cref="CalculateExperimentResults"/> per live experiment.</summary>
public sealed record RunExperimentCalculations;
