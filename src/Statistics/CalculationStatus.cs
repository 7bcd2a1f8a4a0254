using System.Text.Json.Serialization;

namespace Persisters.Statistics;

/// <summary>Whether inference ran for a goal.</summary>
public enum CalculationStatus
{
    [JsonStringEnumMemberName("computed")]
    Computed,

    /// <summary>Inputs that cannot give a posterior; <see cref="GoalCalculation.Reason"/> says why.</summary>
    [JsonStringEnumMemberName("notComputable")]
    NotComputable,
}
