namespace Persisters.Statistics.Numerics;

/// <summary>
/// An m-point Gauss–Legendre rule on [-1, 1] together with its spectral integration matrix, so that one set of
/// density values on a panel gives both the panel integral and the running integral (the CDF) at every node.
/// </summary>
internal sealed class GaussLegendre
{
    private static readonly Dictionary<int, GaussLegendre> Cache = new();
    private static readonly Lock CacheLock = new();

    /// <summary>Nodes in ascending order.</summary>
    public double[] Nodes { get; }

    public double[] Weights { get; }

    /// <summary>
    /// <c>Integration[i * Order + k]</c> = ∫ from -1 to Nodes[i] of the k-th Lagrange basis polynomial, so that
    /// ∫ from -1 to Nodes[i] of g ≈ Σ_k Integration[i, k] g(Nodes[k]) with the same order of accuracy as the rule.
    /// </summary>
    public double[] Integration { get; }

    public int Order { get; }

    private GaussLegendre(int order)
    {
        Order = order;
        (Nodes, Weights) = ComputeRule(order);
        Integration = ComputeIntegrationMatrix(Nodes, Weights);
    }

    public static GaussLegendre Of(int order)
    {
        if (order is < 2 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "Gauss–Legendre order must be in [2, 64].");
        }

        lock (CacheLock)
        {
            if (!Cache.TryGetValue(order, out var rule))
            {
                rule = new GaussLegendre(order);
                Cache[order] = rule;
            }

            return rule;
        }
    }

    private static (double[] Nodes, double[] Weights) ComputeRule(int m)
    {
        var nodes = new double[m];
        var weights = new double[m];
        for (var i = 0; i < m; i++)
        {
            // Newton on P_m from the Tricomi-style initial guess; converges to machine precision in a few steps.
            var x = -Math.Cos(Math.PI * (i + 0.75) / (m + 0.5));
            double derivative = 0;
            for (var iteration = 0; iteration < 100; iteration++)
            {
                var (p, dp) = Legendre(m, x);
                derivative = dp;
                var step = p / dp;
                x -= step;
                if (Math.Abs(step) <= 1e-16 * Math.Max(1.0, Math.Abs(x)))
                {
                    break;
                }
            }

            derivative = Legendre(m, x).Derivative;
            nodes[i] = x;
            weights[i] = 2.0 / ((1.0 - x * x) * derivative * derivative);
        }

        return (nodes, weights);
    }

    private static (double Value, double Derivative) Legendre(int m, double x)
    {
        double p0 = 1, p1 = x;
        for (var k = 2; k <= m; k++)
        {
            var p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }

        var derivative = m * (x * p1 - p0) / (x * x - 1.0);
        return (p1, derivative);
    }

    private static double[] ComputeIntegrationMatrix(double[] t, double[] w)
    {
        var m = t.Length;
        var matrix = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            // The basis polynomials have degree m-1, so the same m-point rule mapped onto [-1, t_i] is exact.
            var half = 0.5 * (t[i] + 1.0);
            for (var q = 0; q < m; q++)
            {
                var tau = -1.0 + half * (t[q] + 1.0);
                for (var k = 0; k < m; k++)
                {
                    matrix[i * m + k] += w[q] * half * LagrangeBasis(t, k, tau);
                }
            }
        }

        return matrix;
    }

    private static double LagrangeBasis(double[] t, int k, double x)
    {
        var value = 1.0;
        for (var j = 0; j < t.Length; j++)
        {
            if (j != k)
            {
                value *= (x - t[j]) / (t[k] - t[j]);
            }
        }

        return value;
    }
}
