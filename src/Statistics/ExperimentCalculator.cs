using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics;

/// <summary>
/// Bayesian results of one goal at one cut-off from per-variation counts (reference §9.3 steps 2–5), computed
/// exactly: the conversion posteriors are Beta(x+1, n−x+1) and the value-per-user posteriors Student-t, and every
/// probability, quantile and expected loss is an integral of their densities and CDFs evaluated by quadrature
/// (absolute error below 1e-10 on every checked case; see <see cref="ExactAbsoluteError"/>).
/// </summary>
public static class ExperimentCalculator
{
    /// <summary>A variation is listed among the best when its P(beat baseline) is above this.</summary>
    public const double BestVariationThreshold = 0.95;

    /// <summary>Largest evaluation-user count accepted; beyond it double precision cannot resolve a posterior near 0 or 1.</summary>
    public const long MaximumUsers = 1_000_000_000_000;

    /// <summary>
    /// Documented accuracy of the exact method for probabilities and quantiles (and of expected loss ÷ 100),
    /// checked by the tests against closed forms, a much finer grid and long Monte Carlo runs.
    /// </summary>
    public const double ExactAbsoluteError = 1e-10;

    /// <summary>Computes the goal's results. Never throws for bad counts: they give <see cref="CalculationStatus.NotComputable"/> and a reason.</summary>
    public static GoalCalculation Calculate(IReadOnlyList<VariationCounts> variations) =>
        Calculate(variations, ExactEngine.Standard);

    internal static GoalCalculation Calculate(IReadOnlyList<VariationCounts> variations, IComparisonEngine engine)
    {
        ArgumentNullException.ThrowIfNull(variations);
        var echoes = variations.Select(Echo).ToList();
        var reason = FindProblem(variations);
        if (reason is not null)
        {
            return NotComputable(echoes, variations, reason, engine.Method);
        }

        var baseline = IndexOfBaseline(variations);
        var notes = new List<string>();
        if (variations.Count == 1)
        {
            notes.Add("Only one variation: it is trivially the best, with no expected loss and nothing to beat.");
        }

        ArmComparison cvr;
        try
        {
            var arms = variations.Select(v => (IPosterior)BetaPosterior.FromCounts(v.GoalUsers, v.EvaluationUsers)).ToList();
            cvr = engine.Compare(arms, baseline);
        }
        catch (InvalidOperationException e)
        {
            return NotComputable(echoes, variations, $"The conversion posteriors could not be integrated: {e.Message}", engine.Method);
        }

        var results = new VariationResult[variations.Count];
        var b = variations[baseline];
        for (var i = 0; i < variations.Count; i++)
        {
            var v = variations[i];
            results[i] = echoes[i] with
            {
                Cvr = new ConversionPosterior
                {
                    Alpha = v.GoalUsers + 1.0,
                    Beta = v.EvaluationUsers - v.GoalUsers + 1.0,
                    Mean = Guard(cvr.Mean[i], notes),
                    Sd = Guard(cvr.StandardDeviation[i], notes),
                    Median = Guard(cvr.Median[i], notes),
                    P025 = Guard(cvr.P025[i], notes),
                    P975 = Guard(cvr.P975[i], notes),
                    ProbBest = Probability(cvr.ProbBest[i], notes),
                    ProbBeatBaseline = i == baseline ? 0.0 : Probability(cvr.ProbBeatBaseline[i], notes),
                    ExpectedLoss = variations.Count == 1 ? 0.0 : Math.Max(0.0, Guard(cvr.ExpectedLoss[i] * 100.0, notes)),
                    BayesFactor = i == baseline
                        ? 1.0
                        : BayesFactors.Conversion(b.GoalUsers, b.EvaluationUsers, v.GoalUsers, v.EvaluationUsers),
                },
            };
        }

        var valueModel = CalculateValue(variations, baseline, engine, results, notes);
        return new GoalCalculation
        {
            Status = CalculationStatus.Computed,
            Notes = notes.Distinct().ToList(),
            Method = engine.Method,
            Variations = results,
            Summary = Summarise(variations, results),
            ValueModel = valueModel,
        };
    }

    private static ValueModelInfo CalculateValue(
        IReadOnlyList<VariationCounts> variations, int baseline, IComparisonEngine engine, VariationResult[] results,
        List<string> notes)
    {
        // The reference runs the value model only when every variation has goal users, a non-zero mean and variance.
        // Value statistics that are not finite numbers (goal values whose sums leave double range) or a negative
        // variance stop only the value model: the conversion results above do not depend on values.
        foreach (var v in variations)
        {
            var why = v.GoalUsers <= 0 ? "has no goal users"
                : NotRepresentable(v) is { } field ? field
                : v.ValueVariance < 0 ? "has a negative value variance"
                : v.ValueMean == 0 ? "has a value mean of 0"
                : v.ValueVariance == 0 ? "has a value variance of 0"
                : null;
            if (why is not null)
            {
                return new ValueModelInfo { Computed = false, Reason = $"Value model skipped: variation '{v.Id}' {why}." };
            }
        }

        var samples = variations.Select(v => new ValueSample(v.GoalUsers, v.ValueMean, v.ValueVariance)).ToList();
        var prior = NormalInverseGamma.EmpiricalBayesPrior(samples);
        var posteriors = samples.Select(s => NormalInverseGamma.Posterior(prior, s)).ToList();
        if (posteriors.Any(p => !p.IsFinite))
        {
            return new ValueModelInfo
            {
                Computed = false,
                Reason = "Value model skipped: the values are too large for double precision.",
                Prior = FinitePrior(prior),
            };
        }

        ArmComparison value;
        var marginals = posteriors.Select(p => p.MarginalOfMean()).ToList();
        try
        {
            value = engine.Compare(marginals.Cast<IPosterior>().ToList(), baseline);
        }
        catch (InvalidOperationException e)
        {
            return new ValueModelInfo
            {
                Computed = false,
                Reason = $"Value model skipped: the posteriors could not be integrated: {e.Message}",
                Prior = FinitePrior(prior),
            };
        }

        var b = variations[baseline];
        for (var i = 0; i < variations.Count; i++)
        {
            var v = variations[i];
            results[i] = results[i] with
            {
                Value = new ValuePosterior
                {
                    Location = marginals[i].Location,
                    Scale = marginals[i].Scale,
                    DegreesOfFreedom = marginals[i].DegreesOfFreedom,
                    Mean = Guard(value.Mean[i], notes),
                    Sd = Guard(value.StandardDeviation[i], notes),
                    Median = Guard(value.Median[i], notes),
                    P025 = Guard(value.P025[i], notes),
                    P975 = Guard(value.P975[i], notes),
                    ProbBest = Probability(value.ProbBest[i], notes),
                    ProbBeatBaseline = i == baseline ? 0.0 : Probability(value.ProbBeatBaseline[i], notes),
                    BayesFactor = i == baseline
                        ? 1.0
                        : BayesFactors.Value(b.GoalUsers, b.ValueMean, b.ValueVariance, v.GoalUsers, v.ValueMean, v.ValueVariance),
                },
            };
        }

        return new ValueModelInfo { Computed = true, Prior = prior };
    }

    private static GoalSummary Summarise(IReadOnlyList<VariationCounts> variations, VariationResult[] results)
    {
        var nonBaseline = results.Where(r => !r.Baseline).ToList();
        return new GoalSummary
        {
            GoalUserCount = SaturatingSum(variations.Select(v => v.GoalUsers)),
            BestVariations = Best(nonBaseline.Select(r => (r.Id, r.Cvr?.ProbBeatBaseline))),
            BestVariationsValue = Best(nonBaseline.Select(r => (r.Id, r.Value?.ProbBeatBaseline))),
            CvrSafeToStop = nonBaseline.Any(r => r.Cvr?.BayesFactor >= BayesFactors.SafeToStopThreshold),
            ValueSafeToStop = nonBaseline.Any(r => r.Value?.BayesFactor >= BayesFactors.SafeToStopThreshold),
        };
    }

    private static List<BestVariation> Best(IEnumerable<(string Id, double? Probability)> candidates)
    {
        var above = candidates
            .Where(c => c.Probability > BestVariationThreshold)
            .Select(c => (c.Id, Probability: c.Probability!.Value))
            .OrderByDescending(c => c.Probability)
            .ToList();
        return above.Select((c, i) => new BestVariation(c.Id, c.Probability, i == 0)).ToList();
    }

    /// <summary>Why the counts cannot be used, or null. The checks follow the order a reader would fix them in.</summary>
    internal static string? FindProblem(IReadOnlyList<VariationCounts> variations)
    {
        if (variations.Count == 0)
        {
            return "No variations.";
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variations.Count; i++)
        {
            var v = variations[i];
            if (v is null)
            {
                return $"Variation #{i} is null.";
            }

            if (string.IsNullOrWhiteSpace(v.Id))
            {
                return $"Variation #{i} has no id.";
            }

            if (!ids.Add(v.Id))
            {
                return $"Variation id '{v.Id}' appears more than once.";
            }

            var field = v.EvaluationUsers < 0 ? "evaluationUsers"
                : v.GoalUsers < 0 ? "goalUsers"
                : v.GoalEvents < 0 ? "goalEvents"
                : null;
            if (field is not null)
            {
                return $"Variation '{v.Id}': {field} is negative.";
            }

            if (v.EvaluationUsers > MaximumUsers)
            {
                return $"Variation '{v.Id}': evaluationUsers {v.EvaluationUsers} is above the supported {MaximumUsers}.";
            }

            if (v.GoalUsers > v.EvaluationUsers)
            {
                return $"Variation '{v.Id}': goalUsers ({v.GoalUsers}) exceed evaluationUsers ({v.EvaluationUsers}); "
                       + "inference skipped as in the reference (goal events without a matching evaluation?).";
            }
        }

        var baselines = variations.Count(v => v.IsBaseline);
        if (baselines != 1)
        {
            return $"Exactly one baseline variation is required; found {baselines}.";
        }

        return variations.All(v => v.EvaluationUsers == 0) ? "No evaluation users in any variation." : null;
    }

    private static int IndexOfBaseline(IReadOnlyList<VariationCounts> variations)
    {
        for (var i = 0; i < variations.Count; i++)
        {
            if (variations[i].IsBaseline)
            {
                return i;
            }
        }

        throw new InvalidOperationException("No baseline.");
    }

    private static VariationResult Echo(VariationCounts? v)
    {
        if (v is null)
        {
            return new VariationResult();
        }

        var valueSum = FiniteOrNull(v.ValueSum);
        return new VariationResult
        {
            Id = v.Id ?? "",
            Baseline = v.IsBaseline,
            EvaluationUsers = v.EvaluationUsers,
            GoalUsers = v.GoalUsers,
            GoalEvents = v.GoalEvents,
            ValueSum = valueSum,
            ValueMean = FiniteOrNull(v.ValueMean),
            ValueVariance = FiniteOrNull(v.ValueVariance),
            ConversionRate = v.EvaluationUsers > 0 && v.GoalUsers >= 0 ? 100.0 * v.GoalUsers / v.EvaluationUsers : 0.0,
            ValuePerUser = v.GoalUsers > 0 ? valueSum / v.GoalUsers : 0.0,
        };
    }

    /// <summary>A number the documents can state: null for ±Infinity (beyond double range) and NaN.</summary>
    public static double? FiniteOrNull(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Why a variation's value statistics cannot feed the value model, or null.</summary>
    private static string? NotRepresentable(VariationCounts v)
    {
        var (field, value) = !double.IsFinite(v.ValueSum) ? ("valueSum", v.ValueSum)
            : !double.IsFinite(v.ValueMean) ? ("valueMean", v.ValueMean)
            : !double.IsFinite(v.ValueVariance) ? ("valueVariance", v.ValueVariance)
            : (null, 0.0);
        return field is null ? null
            : double.IsNaN(value) ? $"has a {field} that is not a number (goal values beyond double precision in both directions)"
            : $"has a {field} beyond double precision (goal values too large)";
    }

    /// <summary>Σ of non-negative counts, saturating at long.MaxValue instead of overflowing.</summary>
    private static long SaturatingSum(IEnumerable<long> counts)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total = c > long.MaxValue - total ? long.MaxValue : total + c;
        }

        return total;
    }

    private static GoalCalculation NotComputable(
        List<VariationResult> echoes, IReadOnlyList<VariationCounts> variations, string reason, string method) =>
        new()
        {
            Status = CalculationStatus.NotComputable,
            Reason = reason,
            Method = method,
            Variations = echoes,
            Summary = new GoalSummary { GoalUserCount = SaturatingSum(variations.Where(v => v is not null).Select(v => Math.Max(0, v.GoalUsers))) },
            ValueModel = new ValueModelInfo { Computed = false, Reason = "Not computable: " + reason },
        };

    private static NigPrior? FinitePrior(NigPrior prior) =>
        double.IsFinite(prior.Mu0) && double.IsFinite(prior.Beta0) ? prior : null;

    private static double Probability(double value, List<string> notes) => Math.Clamp(Guard(value, notes), 0.0, 1.0);

    // Should never trigger; if it does the output stays finite and the notes say so.
    private static double Guard(double value, List<string> notes)
    {
        if (double.IsFinite(value))
        {
            return value;
        }

        notes.Add("A non-finite intermediate result was replaced by 0; please report these counts.");
        return 0.0;
    }
}
