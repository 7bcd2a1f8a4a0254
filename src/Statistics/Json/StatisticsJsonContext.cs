using System.Text.Json.Serialization;

namespace Persisters.Statistics.Json;

/// <summary>
/// Source-generated System.Text.Json metadata: camelCase names, enums as strings, unknown input fields rejected
/// (a misspelt "goalUser" must not silently become 0).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(CalcInput))]
[JsonSerializable(typeof(CalcOutput))]
[JsonSerializable(typeof(GoalCalculation))]
public sealed partial class StatisticsJsonContext : JsonSerializerContext;
