namespace Persisters.Statistics.Tests;

internal static class Near
{
    /// <summary>Asserts |actual − expected| ≤ tolerance, with both numbers in the message.</summary>
    public static void Equal(double expected, double actual, double tolerance, string? what = null)
    {
        Assert.True(double.IsFinite(actual), $"{what ?? "value"} is not finite: {actual}");
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= tolerance,
            $"{what ?? "value"}: expected {expected:R}, got {actual:R} (|error| = {error:E3} > {tolerance:E1})");
    }

    /// <summary>Asserts a Monte Carlo estimate lies within k standard errors of the exact value.</summary>
    public static void WithinStandardErrors(double exact, double estimate, double standardError, double k, string what)
    {
        var error = Math.Abs(estimate - exact);
        Assert.True(
            error <= k * standardError + 1e-12,
            $"{what}: exact {exact:R}, Monte Carlo {estimate:R}, |diff| = {error:E3} > {k} × SE {standardError:E3}");
    }
}
