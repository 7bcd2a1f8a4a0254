namespace Persisters.Statistics;

/// <summary>A variation that beats the baseline with probability above the threshold; <see cref="IsBest"/> marks the highest.</summary>
public sealed record BestVariation(string Id, double Probability, bool IsBest);
