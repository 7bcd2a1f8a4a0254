using Persisters.Statistics.Numerics;

namespace Persisters.Statistics.Posteriors;

/// <summary>A one-dimensional posterior that the quadrature grid can integrate and the Monte Carlo reference can sample.</summary>
internal interface IPosterior
{
    /// <summary>Lower end of the window that holds all but a negligible (&lt; 1e-17) share of the mass.</summary>
    double WindowLower { get; }

    /// <summary>Upper end of that window.</summary>
    double WindowUpper { get; }

    /// <summary>Exact mean.</summary>
    double Mean { get; }

    /// <summary>Where the density peaks; it decreases away from here (every posterior here is unimodal).</summary>
    double Mode { get; }

    /// <summary>Exact standard deviation.</summary>
    double StandardDeviation { get; }

    /// <summary>One draw, for the Monte Carlo reference only.</summary>
    double Sample(Sampling random);

    /// <summary>
    /// Log of the density up to an additive constant, 0 at the <see cref="Mode"/> so that
    /// <c>Math.Exp</c> never overflows. The grid normalises it numerically.
    /// </summary>
    double LogDensityRelative(double x);

    /// <summary>Panel boundaries this distribution needs to be integrated accurately, each with its local spacing.</summary>
    void AddBreakpoints(List<GridPoint> points);
}
