using System.Text.Json;
using System.Text.Json.Serialization;
using Persisters.Persistence;
using Persisters.Statistics;
using Persisters.Statistics.Srm;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// The <c>experiment_result.data</c> document (reference §9.3 steps 5–8, §9.4): per goal the results at the last
/// cut-off and a daily time series, the total evaluation users and the sample-ratio check. It holds nothing but the
/// inputs' consequences, so the same rows and cut-offs always give the same text.
/// </summary>
public sealed record ExperimentResultDocument
{
    public Guid ExperimentId { get; init; }

    public string EnvironmentId { get; init; } = "";

    public string FeatureId { get; init; } = "";

    public int FeatureVersion { get; init; }

    public string BaselineVariationId { get; init; } = "";

    /// <summary>Unix seconds.</summary>
    public long StartAt { get; init; }

    public long StopAt { get; init; }

    /// <summary>The last cut-off, min(stop_at, time of calculation): the counts cover [startAt, endAt].</summary>
    public long EndAt { get; init; }

    /// <summary>Distinct evaluation users of the first goal's last cut-off, summed over variations.</summary>
    public long TotalEvaluationUserCount { get; init; }

    /// <summary>Observed evaluation users of the first goal against <see cref="SrmExpectedSplit"/>.</summary>
    public SrmResult Srm { get; init; } = new();

    /// <summary>The reference takes the flag's rollout weights, which this service does not know.</summary>
    public string SrmExpectedSplit { get; init; } = EqualSplit;

    public IReadOnlyList<GoalResultDocument> Goals { get; init; } = [];

    public const string EqualSplit = "equal weights over the experiment's variations";
}

public sealed record GoalResultDocument
{
    public string GoalId { get; init; } = "";

    /// <summary>Results at the last cut-off.</summary>
    public GoalCalculation Calculation { get; init; } = new();

    public GoalTimeSeries TimeSeries { get; init; } = new();
}

/// <summary>One point per cut-off (unit day; the last point is the partial day up to <see cref="ExperimentResultDocument.EndAt"/>).</summary>
public sealed record GoalTimeSeries
{
    public string Unit { get; init; } = "day";

    public int TotalCounts { get; init; }

    /// <summary>Unix seconds of each cut-off.</summary>
    public IReadOnlyList<long> Timestamps { get; init; } = [];

    public IReadOnlyList<VariationTimeSeries> Variations { get; init; } = [];
}

/// <summary>Cumulative series of one variation; posterior fields are 0 at cut-offs where inference did not run.</summary>
public sealed record VariationTimeSeries
{
    public string VariationId { get; init; } = "";

    public IReadOnlyList<long> EvaluationUsers { get; init; } = [];

    public IReadOnlyList<long> EvaluationEvents { get; init; } = [];

    public IReadOnlyList<long> GoalUsers { get; init; } = [];

    public IReadOnlyList<long> GoalEvents { get; init; } = [];

    /// <summary>Null at a cut-off where the sum is beyond double range (goal values too large; the value model says so).</summary>
    public IReadOnlyList<double?> ValueSum { get; init; } = [];

    public IReadOnlyList<double> CvrMedian { get; init; } = [];

    public IReadOnlyList<double> CvrP025 { get; init; } = [];

    public IReadOnlyList<double> CvrP975 { get; init; } = [];

    /// <summary>goalUsers / evaluationUsers as a fraction (not ×100, as in the reference's series).</summary>
    public IReadOnlyList<double> ConversionRate { get; init; } = [];

    /// <summary>valueSum / goalUsers (0 without goal users, null where valueSum is null).</summary>
    public IReadOnlyList<double?> ValuePerUser { get; init; } = [];

    public IReadOnlyList<double> ValuePerUserMedian { get; init; } = [];

    public IReadOnlyList<double> ValuePerUserP025 { get; init; } = [];

    public IReadOnlyList<double> ValuePerUserP975 { get; init; } = [];
}

/// <summary>
/// camelCase, enums as strings, compact, text unescaped (<see cref="MinimalJsonEncoder"/>): the stored form of
/// <see cref="ExperimentResultDocument"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = false,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExperimentResultDocument))]
public sealed partial class CalculatorJsonContext : JsonSerializerContext
{
    // Lazily: Default is a static of the generated half of this class, whose initialisation order is not defined.
    private static CalculatorJsonContext? _stored;

    private static CalculatorJsonContext Stored =>
        _stored ??= new CalculatorJsonContext(new JsonSerializerOptions(Default.Options) { Encoder = MinimalJsonEncoder.Instance });

    public static string Serialize(ExperimentResultDocument document) =>
        JsonSerializer.Serialize(document, Stored.ExperimentResultDocument);

    public static ExperimentResultDocument Parse(string json) =>
        JsonSerializer.Deserialize(json, Default.ExperimentResultDocument)
        ?? throw new JsonException("experiment_result.data is null.");
}
