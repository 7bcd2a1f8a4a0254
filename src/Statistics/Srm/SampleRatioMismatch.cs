using System.Text.Json.Serialization;
using MathNet.Numerics;

namespace Persisters.Statistics.Srm;

public enum SrmStatus
{
    [JsonStringEnumMemberName("OK")]
    Ok,

    [JsonStringEnumMemberName("MISMATCH")]
    Mismatch,

    [JsonStringEnumMemberName("SKIPPED")]
    Skipped,
}

/// <summary>Observed evaluation users of one variation and its expected share (any non-negative weight; shares are normalised).</summary>
public sealed record SrmVariationInput(string VariationId, long ObservedUsers, double ExpectedWeight);

/// <summary>One variation's line in the check: observed and expected users, and its normalised expected share.</summary>
public sealed record SrmVariation(string VariationId, long ObservedUserCount, double ExpectedUserCount, double ExpectedWeight);

/// <summary>Outcome of the sample-ratio-mismatch check. <see cref="Reason"/> says why it was skipped or which rule found the mismatch.</summary>
public sealed record SrmResult
{
    public SrmStatus Status { get; init; }

    public double PValue { get; init; }

    public double ChiSquare { get; init; }

    public int DegreesOfFreedom { get; init; }

    public double Threshold { get; init; } = SampleRatioMismatch.PValueThreshold;

    public string? Reason { get; init; }

    /// <summary>In variation-id order.</summary>
    public IReadOnlyList<SrmVariation> Variations { get; init; } = [];
}

/// <summary>Chi-square sample-ratio-mismatch check of observed evaluation users against the expected split (reference §9.3 step 6).</summary>
public static class SampleRatioMismatch
{
    public const double PValueThreshold = 0.001;

    public const long MinimumTotalUsers = 100;

    public const double MinimumExpectedCount = 5;

    /// <summary>
    /// Checks, in order: total &lt; 100 → SKIPPED; smallest positive expected count &lt; 5 → SKIPPED; users in
    /// variations expected to get none above max(5, ⌊0.0001·total⌋) → MISMATCH; df = (cells with a positive
    /// expectation) − 1, df &lt; 1 → SKIPPED; p &lt; 0.001 → MISMATCH; otherwise OK. Expected counts are
    /// total × share, with the total over all observed users.
    /// </summary>
    public static SrmResult Check(IReadOnlyList<SrmVariationInput> variations)
    {
        ArgumentNullException.ThrowIfNull(variations);
        var ordered = variations.OrderBy(v => v.VariationId, StringComparer.Ordinal).ToList();
        var invalid = ordered.Count == 0 ? "no variations"
            : ordered.Any(v => v.ObservedUsers < 0) ? "a negative observed user count"
            : ordered.Any(v => v.ObservedUsers > ExperimentCalculator.MaximumUsers) ? $"an observed user count above {ExperimentCalculator.MaximumUsers}"
            : ordered.Any(v => !double.IsFinite(v.ExpectedWeight) || v.ExpectedWeight < 0) ? "a negative or non-finite expected weight"
            : !(ordered.Max(v => v.ExpectedWeight) > 0) ? "the expected weights sum to 0"
            : ordered.Select(v => v.VariationId).Distinct(StringComparer.Ordinal).Count() != ordered.Count ? "a duplicate variation id"
            : null;
        if (invalid is not null)
        {
            return new SrmResult
            {
                Status = SrmStatus.Skipped,
                Reason = $"Invalid input: {invalid}.",
                Variations = ordered.Select(v => new SrmVariation(v.VariationId, Math.Max(0, v.ObservedUsers), 0, 0)).ToList(),
            };
        }

        // Shares from weights divided by the largest first, so weights near double's maximum cannot overflow the sum.
        var largest = ordered.Max(v => v.ExpectedWeight);
        var weightSum = ordered.Sum(v => v.ExpectedWeight / largest);
        var total = ordered.Sum(v => v.ObservedUsers);
        var lines = ordered
            .Select(v => new SrmVariation(v.VariationId, v.ObservedUsers, total * (v.ExpectedWeight / largest / weightSum), v.ExpectedWeight / largest / weightSum))
            .ToList();
        SrmResult Result(SrmStatus status, string? reason, double chi = 0, int df = 0, double p = 0) =>
            new() { Status = status, Reason = reason, ChiSquare = chi, DegreesOfFreedom = df, PValue = p, Variations = lines };

        if (total < MinimumTotalUsers)
        {
            return Result(SrmStatus.Skipped, $"Total users {total} below {MinimumTotalUsers}.");
        }

        var positive = lines.Where(l => l.ExpectedWeight > 0).ToList();
        var smallest = positive.Min(l => l.ExpectedUserCount);
        if (smallest < MinimumExpectedCount)
        {
            return Result(SrmStatus.Skipped, $"Smallest expected count {smallest:G6} below {MinimumExpectedCount}.");
        }

        var chiSquare = positive.Sum(l => (l.ObservedUserCount - l.ExpectedUserCount) * (l.ObservedUserCount - l.ExpectedUserCount) / l.ExpectedUserCount);
        var df = positive.Count - 1;
        var pValue = df >= 1 ? PValue(chiSquare, df) : 1.0;

        var leaked = lines.Where(l => l.ExpectedWeight == 0).Sum(l => l.ObservedUserCount);
        var leakLimit = Math.Max(5L, (long)Math.Floor(0.0001 * total));
        if (leaked > leakLimit)
        {
            return Result(SrmStatus.Mismatch, $"{leaked} users in variations expected to get none (limit {leakLimit}).", chiSquare, Math.Max(df, 0), pValue);
        }

        if (df < 1)
        {
            return Result(SrmStatus.Skipped, "Fewer than two variations with a positive expected share.", chiSquare, 0, pValue);
        }

        return pValue < PValueThreshold
            ? Result(SrmStatus.Mismatch, $"p = {pValue:G3} below {PValueThreshold}.", chiSquare, df, pValue)
            : Result(SrmStatus.Ok, null, chiSquare, df, pValue);
    }

    /// <summary>
    /// Expected shares from a rollout strategy: weight / total weight; with an audience of 0 &lt; pct &lt; 100 and a
    /// default variation, each share is pct/100 · w/W and the default variation also gets 1 − pct/100.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ExpectedWeightsFromRollout(
        IReadOnlyList<(string VariationId, double Weight)> rollout, double? audiencePercentage = null, string? defaultVariationId = null)
    {
        var total = rollout.Sum(r => r.Weight);
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!(total > 0) || !double.IsFinite(total))
        {
            return shares;
        }

        var partial = audiencePercentage is > 0 and < 100 && defaultVariationId is not null;
        var inAudience = partial ? audiencePercentage!.Value / 100.0 : 1.0;
        foreach (var (id, weight) in rollout)
        {
            shares[id] = shares.GetValueOrDefault(id) + inAudience * weight / total;
        }

        if (partial)
        {
            shares[defaultVariationId!] = shares.GetValueOrDefault(defaultVariationId!) + (1.0 - inAudience);
        }

        return shares;
    }

    private static double PValue(double chiSquare, int df)
    {
        var p = SpecialFunctions.GammaUpperRegularized(0.5 * df, 0.5 * chiSquare);
        return double.IsFinite(p) ? Math.Clamp(p, 0.0, 1.0) : 0.0;
    }
}
