namespace Persisters.Statistics;

/// <summary>
/// Cumulative counts of one variation for one goal at one cut-off (reference §9.2).
/// </summary>
/// <param name="Id">Variation id.</param>
/// <param name="IsBaseline">True for the one variation the others are compared with.</param>
/// <param name="EvaluationUsers">Distinct users who were served the variation (n).</param>
/// <param name="GoalUsers">Distinct users of the variation who reached the goal (x).</param>
/// <param name="GoalEvents">Goal events of those users (reported, not used by the models).</param>
/// <param name="ValueSum">Sum of the (winsorised) per-user goal values.</param>
/// <param name="ValueMean">Mean of the winsorised per-user value sums over goal users.</param>
/// <param name="ValueVariance">Sample variance of those per-user value sums (0 when fewer than two users).</param>
public sealed record VariationCounts(
    string Id,
    bool IsBaseline,
    long EvaluationUsers,
    long GoalUsers,
    long GoalEvents = 0,
    double ValueSum = 0,
    double ValueMean = 0,
    double ValueVariance = 0);
