namespace Persisters.Statistics;

/// <summary>
/// Results of one goal at one cut-off: per variation and a summary. No field is ever NaN or infinite.
/// Not sealed only for <see cref="Json.CalcOutput"/>, which adds the goal label and the SRM check around these fields.
/// </summary>
public record GoalCalculation
{
    public CalculationStatus Status { get; init; }

    /// <summary>Why inference did not run; null when <see cref="Status"/> is computed.</summary>
    public string? Reason { get; init; }

    /// <summary>Things worth knowing that did not stop the calculation (for example why the value model was skipped).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>"exact" for the calculator, "monteCarlo(draws=…, seed=…)" for the reference.</summary>
    public string Method { get; init; } = "exact";

    /// <summary>In input order.</summary>
    public IReadOnlyList<VariationResult> Variations { get; init; } = [];

    public GoalSummary Summary { get; init; } = new();

    public ValueModelInfo ValueModel { get; init; } = new();
}
