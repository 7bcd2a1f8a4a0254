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

/// <summary>Results of one goal at one cut-off: per variation and a summary. No field is ever NaN or infinite.</summary>
public sealed record GoalCalculation
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

/// <summary>Beta(x + 1, n − x + 1) posterior of the conversion rate (a fraction in [0, 1]) and its comparisons.</summary>
public sealed record ConversionPosterior
{
    public double Alpha { get; init; }

    public double Beta { get; init; }

    public double Mean { get; init; }

    public double Sd { get; init; }

    public double Median { get; init; }

    public double P025 { get; init; }

    public double P975 { get; init; }

    /// <summary>P(this variation's rate is the highest).</summary>
    public double ProbBest { get; init; }

    /// <summary>P(rate &gt; baseline rate); 0 for the baseline itself.</summary>
    public double ProbBeatBaseline { get; init; }

    /// <summary>E[max over variations − this rate] × 100: percentage points lost by choosing this variation.</summary>
    public double ExpectedLoss { get; init; }

    /// <summary>Sequential Bayes factor against the baseline (1 for the baseline).</summary>
    public double BayesFactor { get; init; }
}

/// <summary>Student-t marginal posterior of the mean value per user (Normal-Inverse-Gamma model) and its comparisons.</summary>
public sealed record ValuePosterior
{
    public double Location { get; init; }

    public double Scale { get; init; }

    public double DegreesOfFreedom { get; init; }

    public double Mean { get; init; }

    public double Sd { get; init; }

    public double Median { get; init; }

    public double P025 { get; init; }

    public double P975 { get; init; }

    public double ProbBest { get; init; }

    /// <summary>0 for the baseline itself.</summary>
    public double ProbBeatBaseline { get; init; }

    /// <summary>Sequential Bayes factor against the baseline (1 for the baseline).</summary>
    public double BayesFactor { get; init; }
}

public sealed record GoalSummary
{
    public long GoalUserCount { get; init; }

    /// <summary>Variations whose P(beat baseline) on conversion is &gt; 0.95, highest first.</summary>
    public IReadOnlyList<BestVariation> BestVariations { get; init; } = [];

    /// <summary>The same on value per user.</summary>
    public IReadOnlyList<BestVariation> BestVariationsValue { get; init; } = [];

    /// <summary>Some non-baseline conversion Bayes factor is ≥ 20.</summary>
    public bool CvrSafeToStop { get; init; }

    /// <summary>Some non-baseline value Bayes factor is ≥ 20.</summary>
    public bool ValueSafeToStop { get; init; }
}

/// <summary>A variation that beats the baseline with probability above the threshold; <see cref="IsBest"/> marks the highest.</summary>
public sealed record BestVariation(string Id, double Probability, bool IsBest);

/// <summary>Whether the value model ran, why not, and the empirical-Bayes prior it used.</summary>
public sealed record ValueModelInfo
{
    public bool Computed { get; init; }

    public string? Reason { get; init; }

    public NigPrior? Prior { get; init; }
}
