namespace Persisters.Statistics;

/// <summary>One variation: the echoed counts, the conversion posterior and, when it ran, the value posterior.</summary>
public sealed record VariationResult
{
    public string Id { get; init; } = "";

    public bool Baseline { get; init; }

    public long EvaluationUsers { get; init; }

    public long GoalUsers { get; init; }

    public long GoalEvents { get; init; }

    /// <summary>Sum of the (capped) per-user value sums; null when it is beyond double range (goal values too large).</summary>
    public double? ValueSum { get; init; }

    /// <summary>Null when beyond double range.</summary>
    public double? ValueMean { get; init; }

    /// <summary>Null when beyond double range.</summary>
    public double? ValueVariance { get; init; }

    /// <summary>goalUsers / evaluationUsers × 100 (0 when there are no evaluation users), as in the reference.</summary>
    public double ConversionRate { get; init; }

    /// <summary>valueSum / goalUsers (0 when there are no goal users), the reference's raw value per user; null when valueSum is.</summary>
    public double? ValuePerUser { get; init; }

    /// <summary>Conversion-rate posterior and comparisons; null when not computable.</summary>
    public ConversionPosterior? Cvr { get; init; }

    /// <summary>Value-per-user posterior and comparisons; null when the value model did not run.</summary>
    public ValuePosterior? Value { get; init; }
}
