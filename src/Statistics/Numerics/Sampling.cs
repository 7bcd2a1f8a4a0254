namespace Persisters.Statistics.Numerics;

/// <summary>Seeded random variates for the Monte Carlo reference (Marsaglia–Tsang gamma, Marsaglia polar normal).</summary>
internal sealed class Sampling(int seed)
{
    private readonly Random _random = new(seed);
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>A uniform draw in the open interval (0, 1).</summary>
    public double Uniform()
    {
        double u;
        do
        {
            u = _random.NextDouble();
        }
        while (u == 0.0);

        return u;
    }

    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        double u, v, s;
        do
        {
            u = 2.0 * _random.NextDouble() - 1.0;
            v = 2.0 * _random.NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);

        var factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareNormal = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    /// <summary>Gamma(shape, 1) for shape ≥ 1.</summary>
    public double Gamma(double shape)
    {
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1.0 + c * x;
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = Uniform();
            var x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public double Beta(double a, double b)
    {
        var x = Gamma(a);
        var y = Gamma(b);
        return x / (x + y);
    }
}
