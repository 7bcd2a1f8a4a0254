using Persisters.Statistics.Srm;

namespace Persisters.Statistics.Json;

/// <summary>
/// Output of the <c>calc</c> verb: the <see cref="GoalCalculation"/> fields plus the goal label and the SRM check.
/// Every field is always present (null where not computable); no number is NaN or infinite.
/// </summary>
public sealed record CalcOutput
{
    public string? GoalId { get; init; }

    public CalculationStatus Status { get; init; }

    public string? Reason { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public string Method { get; init; } = "exact";

    public IReadOnlyList<VariationResult> Variations { get; init; } = [];

    public GoalSummary Summary { get; init; } = new();

    public ValueModelInfo ValueModel { get; init; } = new();

    /// <summary>Null when the input gave no expected weights.</summary>
    public SrmResult? Srm { get; init; }

    public static CalcOutput From(GoalCalculation calculation, string? goalId = null, SrmResult? srm = null) =>
        new()
        {
            GoalId = goalId,
            Status = calculation.Status,
            Reason = calculation.Reason,
            Notes = calculation.Notes,
            Method = calculation.Method,
            Variations = calculation.Variations,
            Summary = calculation.Summary,
            ValueModel = calculation.ValueModel,
            Srm = srm,
        };
}
