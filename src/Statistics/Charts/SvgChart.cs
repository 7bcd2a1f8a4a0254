using System.Globalization;
using System.Security;
using System.Text;
using Persisters.Statistics.Json;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Charts;

/// <summary>
/// Renders a calc result as a self-contained SVG: the conversion-rate posterior densities with their shaded 95%
/// credible intervals, an interval row per variation with its numbers, and (when the value model ran) the
/// value-per-user intervals.
/// </summary>
/// <remarks>
/// Each density is drawn scaled to its own peak, so a variation with 10⁷ users (a spike) and one with 10 users
/// (a broad hump) are both visible on one axis; the interval rows carry the exact numbers either way.
/// </remarks>
public static class SvgChart
{
    private const double Width = 1080;
    private const double PlotLeft = 160;
    private const double PlotRight = 670;
    private const double TextLeft = 690;
    private const double DensityTop = 56;
    private const double DensityHeight = 260;
    private const double RowHeight = 30;

    // Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(CalcOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var title = output.GoalId is { Length: > 0 } goal ? $"Goal {goal}: conversion rate posterior" : "Conversion rate posterior";
        var arms = output.Variations
            .Select((v, i) => (Result: v, Colour: Palette[i % Palette.Length]))
            .Where(a => a.Result.Cvr is not null)
            .ToList();
        if (output.Status != CalculationStatus.Computed || arms.Count == 0)
        {
            return Message(title, "Not computable: " + (output.Reason ?? "no conversion posterior."));
        }

        var svg = new StringBuilder();
        var valueArms = arms.Where(a => a.Result.Value is not null).ToList();
        var intervalTop = DensityTop + DensityHeight + 72;
        var intervalHeight = 28 + arms.Count * RowHeight;
        var valueTop = intervalTop + intervalHeight + 82;
        var height = (valueArms.Count > 0 ? valueTop + 28 + valueArms.Count * RowHeight + 52 : intervalTop + intervalHeight + 52)
                     + (output.Srm is null ? 0 : 24);

        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{F(height)}\" viewBox=\"0 0 {Width} {F(height)}\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"12\">\n");
        svg.Append(Invariant, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(Invariant, $"<text x=\"{PlotLeft}\" y=\"26\" font-size=\"17\" font-weight=\"bold\">{Escape(title)}</text>\n");
        svg.Append(Invariant, $"<text x=\"{PlotLeft}\" y=\"44\" fill=\"#555\">Exact Beta posteriors, shaded: 95% credible interval. Each curve is scaled to its own peak.</text>\n");

        var posteriors = arms.Select(a => new BetaPosterior(a.Result.Cvr!.Alpha, a.Result.Cvr!.Beta)).ToList();
        var (lo, hi) = Range(posteriors);
        var ticks = Ticks(lo * 100, hi * 100);
        double X(double rate) => PlotLeft + (rate - lo) / (hi - lo) * (PlotRight - PlotLeft);

        DrawDensities(svg, arms, posteriors, lo, hi, X);
        DrawAxis(svg, ticks, t => X(t / 100), DensityTop + DensityHeight, "conversion rate (%)", suffix: "");
        DrawLegend(svg, arms);

        // Conversion intervals, on the same x scale as the densities.
        svg.Append(Invariant, $"<text x=\"{PlotLeft}\" y=\"{F(intervalTop - 8)}\" font-weight=\"bold\">95% credible intervals (dot: median)</text>\n");
        svg.Append(Invariant, $"<text x=\"{TextLeft}\" y=\"{F(intervalTop - 8)}\" fill=\"#555\">median · P(best) · P(beat baseline) · expected loss</text>\n");
        var baselineMean = arms.FirstOrDefault(a => a.Result.Baseline).Result?.Cvr?.Mean;
        DrawRows(
            svg,
            arms.Select(a => (a.Result, a.Colour, a.Result.Cvr!.P025, a.Result.Cvr.Median, a.Result.Cvr.P975,
                Text: $"{Rate(a.Result.Cvr.Median, a.Result.Cvr.P975 - a.Result.Cvr.P025)} · {Percent(a.Result.Cvr.ProbBest)} · "
                      + (a.Result.Baseline ? "baseline" : Percent(a.Result.Cvr.ProbBeatBaseline))
                      + $" · {a.Result.Cvr.ExpectedLoss.ToString("G3", Invariant)} pp")).ToList(),
            intervalTop,
            X,
            baselineMean);
        DrawAxis(svg, ticks, t => X(t / 100), intervalTop + intervalHeight, "conversion rate (%)", suffix: "");
        if (baselineMean is { } m)
        {
            svg.Append(Invariant, $"<line x1=\"{F(X(m))}\" y1=\"{DensityTop}\" x2=\"{F(X(m))}\" y2=\"{F(DensityTop + DensityHeight)}\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>\n");
        }

        if (valueArms.Count > 0)
        {
            var vlo = valueArms.Min(a => a.Result.Value!.P025);
            var vhi = valueArms.Max(a => a.Result.Value!.P975);
            (vlo, vhi) = Pad(vlo, vhi);
            double Xv(double v) => PlotLeft + (v - vlo) / (vhi - vlo) * (PlotRight - PlotLeft);
            svg.Append(Invariant, $"<text x=\"{PlotLeft}\" y=\"{F(valueTop - 8)}\" font-weight=\"bold\">Value per user: 95% credible intervals (Student-t posterior of the mean)</text>\n");
            svg.Append(Invariant, $"<text x=\"{TextLeft}\" y=\"{F(valueTop - 8)}\" fill=\"#555\">median · P(best) · P(beat baseline)</text>\n");
            DrawRows(
                svg,
                valueArms.Select(a => (a.Result, a.Colour, a.Result.Value!.P025, a.Result.Value.Median, a.Result.Value.P975,
                    Text: $"{Number(a.Result.Value.Median)} · {Percent(a.Result.Value.ProbBest)} · "
                          + (a.Result.Baseline ? "baseline" : Percent(a.Result.Value.ProbBeatBaseline)))).ToList(),
                valueTop,
                Xv,
                valueArms.FirstOrDefault(a => a.Result.Baseline).Result?.Value?.Median);
            DrawAxis(svg, Ticks(vlo, vhi), Xv, valueTop + 28 + valueArms.Count * RowHeight, "value per user", suffix: "");
        }

        if (output.Srm is { } srm)
        {
            var verdict = string.Create(
                Invariant,
                $"Sample ratio check: {srm.Status.ToString().ToUpperInvariant()} (χ² = {srm.ChiSquare:0.###}, df = {srm.DegreesOfFreedom}, p = {srm.PValue:0.####}){(srm.Reason is null ? "" : ": " + srm.Reason)}");
            var colour = srm.Status == Srm.SrmStatus.Mismatch ? "#B00020" : "#333";
            svg.Append(Invariant, $"<text x=\"{PlotLeft}\" y=\"{F(height - 14)}\" fill=\"{colour}\">{Escape(Truncate(verdict, 140))}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void DrawDensities(
        StringBuilder svg, List<(VariationResult Result, string Colour)> arms, List<BetaPosterior> posteriors,
        double lo, double hi, Func<double, double> x)
    {
        var bottom = DensityTop + DensityHeight;
        double Y(double scaled) => bottom - scaled * (DensityHeight - 12);
        svg.Append(Invariant, $"<rect x=\"{PlotLeft}\" y=\"{DensityTop}\" width=\"{PlotRight - PlotLeft}\" height=\"{DensityHeight}\" fill=\"none\" stroke=\"#ccc\"/>\n");
        svg.Append(Invariant, $"<text transform=\"translate({PlotLeft - 14},{F(DensityTop + DensityHeight / 2)}) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">density (scaled to peak)</text>\n");

        // Shared sample points plus dense points inside each arm's own range, so spikes keep their shape.
        var points = new SortedSet<double>();
        for (var i = 0; i <= 400; i++)
        {
            points.Add(lo + (hi - lo) * i / 400);
        }

        foreach (var p in posteriors)
        {
            var a = Math.Max(lo, PosteriorComparison.Quantile(p, 1e-4));
            var b = Math.Min(hi, PosteriorComparison.Quantile(p, 1 - 1e-4));
            for (var i = 0; i <= 200; i++)
            {
                points.Add(a + (b - a) * i / 200);
            }
        }

        var xs = points.ToArray();
        for (var k = 0; k < arms.Count; k++)
        {
            var (result, colour) = arms[k];
            var p = posteriors[k];
            double Scaled(double v) => Math.Exp(Math.Min(0.0, p.LogDensityRelative(v)));
            var (c025, c975) = (result.Cvr!.P025, result.Cvr.P975);
            var shade = new StringBuilder();
            shade.Append(Invariant, $"{F(x(c025))},{F(bottom)} ");
            foreach (var v in xs.Where(v => v > c025 && v < c975).Prepend(c025).Append(c975))
            {
                shade.Append(Invariant, $"{F(x(v))},{F(Y(Scaled(v)))} ");
            }

            shade.Append(Invariant, $"{F(x(c975))},{F(bottom)}");
            svg.Append(Invariant, $"<polygon points=\"{shade}\" fill=\"{colour}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n");

            var line = string.Join(" ", xs.Select(v => $"{F(x(v))},{F(Y(Scaled(v)))}"));
            var dash = result.Baseline ? " stroke-dasharray=\"7,4\"" : "";
            svg.Append(Invariant, $"<polyline points=\"{line}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>\n");
        }
    }

    private static void DrawRows(
        StringBuilder svg,
        List<(VariationResult Result, string Colour, double Low, double Mid, double High, string Text)> rows,
        double top,
        Func<double, double> x,
        double? baselineMarker)
    {
        var bottom = top + 28 + rows.Count * RowHeight;
        svg.Append(Invariant, $"<rect x=\"{PlotLeft}\" y=\"{F(top)}\" width=\"{PlotRight - PlotLeft}\" height=\"{F(bottom - top)}\" fill=\"none\" stroke=\"#ccc\"/>\n");
        if (baselineMarker is { } m)
        {
            svg.Append(Invariant, $"<line x1=\"{F(x(m))}\" y1=\"{F(top)}\" x2=\"{F(x(m))}\" y2=\"{F(bottom)}\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>\n");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var (result, colour, low, mid, high, text) = rows[i];
            var y = top + 14 + (i + 0.5) * RowHeight;
            var label = Truncate(result.Id, 18) + (result.Baseline ? " (baseline)" : "");
            svg.Append(Invariant, $"<text x=\"{PlotLeft - 8}\" y=\"{F(y + 4)}\" text-anchor=\"end\"{(result.Baseline ? " font-style=\"italic\"" : "")}>{Escape(label)}</text>\n");
            // At least 3 px wide so a 10⁷-user interval stays visible.
            var (x1, x2) = (x(low), x(high));
            if (x2 - x1 < 3)
            {
                var c = 0.5 * (x1 + x2);
                (x1, x2) = (c - 1.5, c + 1.5);
            }

            svg.Append(Invariant, $"<line x1=\"{F(x1)}\" y1=\"{F(y)}\" x2=\"{F(x2)}\" y2=\"{F(y)}\" stroke=\"{colour}\" stroke-width=\"6\" stroke-linecap=\"butt\" stroke-opacity=\"0.75\"/>\n");
            svg.Append(Invariant, $"<circle cx=\"{F(x(mid))}\" cy=\"{F(y)}\" r=\"4.5\" fill=\"white\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
            svg.Append(Invariant, $"<text x=\"{TextLeft}\" y=\"{F(y + 4)}\">{Escape(text)}</text>\n");
        }
    }

    private static void DrawLegend(StringBuilder svg, List<(VariationResult Result, string Colour)> arms)
    {
        var y = DensityTop + 6;
        svg.Append(Invariant, $"<text x=\"{TextLeft}\" y=\"{F(y + 8)}\" font-weight=\"bold\">Variations</text>\n");
        foreach (var (result, colour) in arms)
        {
            y += 20;
            var dash = result.Baseline ? " stroke-dasharray=\"7,4\"" : "";
            svg.Append(Invariant, $"<line x1=\"{TextLeft}\" y1=\"{F(y + 4)}\" x2=\"{TextLeft + 28}\" y2=\"{F(y + 4)}\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/>\n");
            var label = string.Create(Invariant, $"{Truncate(result.Id, 18)}{(result.Baseline ? " (baseline)" : "")}: {result.GoalUsers:N0} / {result.EvaluationUsers:N0} users");
            svg.Append(Invariant, $"<text x=\"{TextLeft + 36}\" y=\"{F(y + 8)}\">{Escape(label)}</text>\n");
        }
    }

    private static void DrawAxis(StringBuilder svg, IReadOnlyList<double> ticks, Func<double, double> x, double y, string label, string suffix)
    {
        svg.Append(Invariant, $"<line x1=\"{PlotLeft}\" y1=\"{F(y)}\" x2=\"{PlotRight}\" y2=\"{F(y)}\" stroke=\"#333\"/>\n");
        var step = ticks.Count > 1 ? ticks[1] - ticks[0] : 1;
        foreach (var t in ticks)
        {
            var px = x(t);
            svg.Append(Invariant, $"<line x1=\"{F(px)}\" y1=\"{F(y)}\" x2=\"{F(px)}\" y2=\"{F(y + 5)}\" stroke=\"#333\"/>\n");
            svg.Append(Invariant, $"<text x=\"{F(px)}\" y=\"{F(y + 18)}\" text-anchor=\"middle\">{TickLabel(t, step)}{suffix}</text>\n");
        }

        svg.Append(Invariant, $"<text x=\"{(PlotLeft + PlotRight) / 2}\" y=\"{F(y + 36)}\" text-anchor=\"middle\" fill=\"#555\">{Escape(label)}</text>\n");
    }

    /// <summary>The union of every variation's central 99.9% (at least one tick step wide), padded by 4%.</summary>
    private static (double Lo, double Hi) Range(List<BetaPosterior> posteriors)
    {
        var lo = posteriors.Min(p => PosteriorComparison.Quantile(p, 0.0005));
        var hi = posteriors.Max(p => PosteriorComparison.Quantile(p, 0.9995));
        var (a, b) = Pad(lo, hi);
        return (Math.Max(0.0, a), Math.Min(1.0, b));
    }

    private static (double Lo, double Hi) Pad(double lo, double hi)
    {
        var span = hi - lo;
        if (!(span > 1e-12 * Math.Max(1.0, Math.Abs(hi))))
        {
            span = Math.Max(1e-9, 1e-6 * Math.Abs(hi));
            return (lo - span, hi + span);
        }

        return (lo - 0.04 * span, hi + 0.04 * span);
    }

    /// <summary>Round steps of 1, 2 or 5 × 10^k, about six of them.</summary>
    internal static IReadOnlyList<double> Ticks(double lo, double hi)
    {
        var raw = (hi - lo) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(s => s * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Ceiling(lo / step) * step; t <= hi + 1e-9 * step; t += step)
        {
            ticks.Add(Math.Abs(t) < 1e-9 * step ? 0.0 : t);
        }

        return ticks;
    }

    private static string TickLabel(double value, double step)
    {
        var decimals = Math.Clamp((int)-Math.Floor(Math.Log10(step) + 1e-9), 0, 12);
        return Math.Abs(value) >= 1e7 ? value.ToString("0.###e+0", Invariant) : value.ToString("F" + decimals, Invariant);
    }

    /// <summary>A rate in percent with enough decimals to show its interval width to two digits.</summary>
    private static string Rate(double fraction, double intervalWidth)
    {
        var widthPercent = Math.Max(intervalWidth * 100, 1e-9);
        var decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(widthPercent)) + 1, 1, 6);
        return (fraction * 100).ToString("F" + decimals, Invariant) + "%";
    }

    private static string Percent(double fraction) => fraction switch
    {
        <= 0 => "0%",
        >= 1 => "100%",
        < 1e-4 => "<0.01%",
        > 1 - 1e-4 => ">99.99%",
        _ => (fraction * 100).ToString("0.##", Invariant) + "%",
    };

    private static string Number(double value) => Math.Abs(value) >= 1e7 || (value != 0 && Math.Abs(value) < 1e-3)
        ? value.ToString("0.###e+0", Invariant)
        : value.ToString("0.####", Invariant);

    private static string Message(string title, string text) =>
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"90\" viewBox=\"0 0 720 90\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"13\">\n"
        + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + $"<text x=\"20\" y=\"32\" font-size=\"17\" font-weight=\"bold\">{Escape(title)}</text>\n"
        + $"<text x=\"20\" y=\"62\" fill=\"#B00020\">{Escape(Truncate(text, 110))}</text>\n</svg>\n";

    // Counts and cuts user-perceived characters (grapheme clusters), never half an emoji or a letter without its accent.
    private static string Truncate(string text, int length)
    {
        var elements = new StringInfo(text);
        return elements.LengthInTextElements <= length ? text : elements.SubstringByTextElements(0, length - 1) + "…";
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.##", Invariant) : "0";
}
