namespace Persisters.Statistics.Json;

/// <summary>
/// Input of the <c>calc</c> verb: per-variation counts of one goal at one cut-off, for example
/// <c>{"variations":[{"id":"A","baseline":true,"evaluationUsers":101,"goalUsers":38,"goalEvents":40}, …]}</c>.
/// Properties are nullable so that a missing field can be named in the error.
/// </summary>
public sealed record CalcInput
{
    /// <summary>Optional label, echoed in the output and the chart title.</summary>
    public string? GoalId { get; init; }

    public IReadOnlyList<CalcInputVariation>? Variations { get; init; }
}

public sealed record CalcInputVariation
{
    /// <summary>Required, unique.</summary>
    public string? Id { get; init; }

    /// <summary>Exactly one variation must have true; missing means false.</summary>
    public bool? Baseline { get; init; }

    /// <summary>Required, ≥ 0.</summary>
    public long? EvaluationUsers { get; init; }

    /// <summary>Required, 0 ≤ goalUsers ≤ evaluationUsers.</summary>
    public long? GoalUsers { get; init; }

    /// <summary>Optional (0), ≥ 0.</summary>
    public long? GoalEvents { get; init; }

    /// <summary>Optional (0).</summary>
    public double? ValueSum { get; init; }

    /// <summary>Optional (0). The value model runs only when every variation has goal users and a non-zero mean and variance.</summary>
    public double? ValueMean { get; init; }

    /// <summary>Optional (0), ≥ 0.</summary>
    public double? ValueVariance { get; init; }

    /// <summary>Optional expected traffic share (any non-negative weight) for the sample-ratio-mismatch check; all or none.</summary>
    public double? ExpectedWeight { get; init; }
}
