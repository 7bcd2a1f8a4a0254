namespace Persisters.Statistics;

public sealed record GoalSummary
{
    public long GoalUserCount { get; init; }

    /// <summary>Variations whose P(beat baseline) on conversion is &gt; 0.95, highest first.</summary>
    public IReadOnlyList<BestVariation> BestVariations { get; init; } = [];

    /// <summary>The same on value per user.</summary>
    public IReadOnlyList<BestVariation> BestVariationsValue { get; init; } = [];

    /// <summary>Some non-baseline conversion Bayes factor is ≥ 20.</summary>
    public bool CvrSafeToStop { get; init; }

    /// <summary>Some non-baseline value Bayes factor is ≥ 20.</summary>
    public bool ValueSafeToStop { get; init; }
}
