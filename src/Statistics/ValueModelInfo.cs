namespace Persisters.Statistics;

/// <summary>Whether the value model ran, why not, and the empirical-Bayes prior it used.</summary>
public sealed record ValueModelInfo
{
    public bool Computed { get; init; }

    public string? Reason { get; init; }

    public NigPrior? Prior { get; init; }
}
