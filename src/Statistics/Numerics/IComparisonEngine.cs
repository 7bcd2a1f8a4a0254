using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Numerics;

/// <summary>Computes <see cref="ArmComparison"/>: exactly (quadrature) or by seeded Monte Carlo.</summary>
internal interface IComparisonEngine
{
    string Method { get; }

    ArmComparison Compare(IReadOnlyList<IPosterior> arms, int baseline);
}
