using System.Xml.Linq;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;

namespace Persisters.Statistics.Tests;

public class When_a_chart_is_rendered
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Render(string json)
    {
        var text = SvgChart.Render(CalcRunner.Compute(CalcRunner.ParseInput(json)));
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        return XDocument.Parse(text);
    }

    [Fact]
    public void long_labels_are_cut_between_characters_never_inside_an_emoji_or_before_an_accent()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 30)); // 30 characters, 60 UTF-16 units
        var accented = string.Concat(Enumerable.Repeat("e\u0301", 30)); // é as e + combining acute
        var svg = Render($$"""
            {"goalId":"g","variations":[
              {"id":"{{emoji}}","baseline":true,"evaluationUsers":101,"goalUsers":38},
              {"id":"{{accented}}","evaluationUsers":99,"goalUsers":45}]}
            """);

        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains(texts, t => t.StartsWith(string.Concat(Enumerable.Repeat("😀", 17)) + "… (baseline)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith(string.Concat(Enumerable.Repeat("e\u0301", 17)) + "…:", StringComparison.Ordinal));
        Assert.All(texts, t => Assert.DoesNotContain('\uFFFD', t));
        Assert.All(texts, t => new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(t)); // no half surrogate pair
    }

    [Fact]
    public void each_variation_gets_a_density_a_shaded_interval_and_a_legend_entry()
    {
        var svg = Render("""
            {"goalId":"purchase","variations":[
              {"id":"A","baseline":true,"evaluationUsers":101,"goalUsers":38,"valueMean":10,"valueVariance":25},
              {"id":"B","evaluationUsers":99,"goalUsers":45,"valueMean":12,"valueVariance":30}]}
            """);

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Equal(2, svg.Descendants(Svg + "polyline").Count());
        Assert.Equal(2, svg.Descendants(Svg + "polygon").Count());
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains(texts, t => t.StartsWith("A (baseline): 38 / 101", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("B: 45 / 99", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("purchase", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Value per user", StringComparison.Ordinal));
        // The baseline's curve is dashed.
        Assert.Single(svg.Descendants(Svg + "polyline"), p => p.Attribute("stroke-dasharray") is not null);
    }

    [Fact]
    public void a_ten_million_user_spike_and_a_ten_user_hump_share_the_axis()
    {
        var svg = Render("""
            {"variations":[
              {"id":"big","baseline":true,"evaluationUsers":10000000,"goalUsers":3000000},
              {"id":"small","evaluationUsers":10,"goalUsers":4}]}
            """);

        foreach (var line in svg.Descendants(Svg + "polyline"))
        {
            var points = line.Attribute("points")!.Value.Split(' ').Select(p => p.Split(',').Select(double.Parse).ToArray()).ToList();
            Assert.All(points, p => Assert.InRange(p[0], 160, 670));
            // Every curve reaches its own peak (y at the top of the panel), however narrow it is.
            Assert.InRange(points.Min(p => p[1]), 56, 70);
        }
    }

    [Fact]
    public void ids_are_escaped()
    {
        var svg = Render("""{"variations":[{"id":"<A&B>","baseline":true,"evaluationUsers":10,"goalUsers":1},{"id":"C","evaluationUsers":10,"goalUsers":2}]}""");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.StartsWith("<A&B> (baseline)", StringComparison.Ordinal));
    }

    [Fact]
    public void a_not_computable_result_renders_its_reason()
    {
        var svg = Render("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":0,"goalUsers":0}]}""");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.Contains("No evaluation users", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(29.95, 30.05, 0.02)]
    [InlineData(0, 100, 20)]
    [InlineData(10, 11, 0.2)]
    public void axis_ticks_use_round_steps(double lo, double hi, double step)
    {
        var ticks = SvgChart.Ticks(lo, hi);
        Assert.InRange(ticks.Count, 4, 11);
        Near.Equal(step, ticks[1] - ticks[0], 1e-9);
    }
}
