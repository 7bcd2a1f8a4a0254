using System.Text.Json.Serialization;
using Persisters.Statistics.Srm;

namespace Persisters.Statistics.Json;

/// <summary>
/// Output of the <c>calc</c> verb: <c>goalId</c>, then the <see cref="GoalCalculation"/> fields, then the SRM check (the
/// JSON field order is fixed by <see cref="JsonPropertyOrderAttribute"/>). Every field is always present (null where not
/// computable); no number is NaN or infinite.
/// </summary>
public sealed record CalcOutput : GoalCalculation
{
    public CalcOutput()
    {
    }

    private CalcOutput(GoalCalculation calculation)
        : base(calculation)
    {
    }

    [JsonPropertyOrder(-1)]
    public string? GoalId { get; init; }

    /// <summary>Null when the input gave no expected weights.</summary>
    [JsonPropertyOrder(1)]
    public SrmResult? Srm { get; init; }

    /// <summary>The calculation's fields as they are (lists shared, not copied), labelled with the goal and the SRM check.</summary>
    public static CalcOutput From(GoalCalculation calculation, string? goalId = null, SrmResult? srm = null) =>
        new(calculation) { GoalId = goalId, Srm = srm };
}
