using System.Text.Json;
using Persisters.Statistics.Json;
using Persisters.Statistics.Srm;

namespace Persisters.Statistics.Tests;

public class When_calc_output_is_written
{
    private static string Doc(params string[] variations) => $$"""{"goalId":"g","variations":[{{string.Join(",", variations)}}]}""";

    public static TheoryData<string, string> EdgeCases() => new()
    {
        { "no data in one arm", Doc("""{"id":"A","baseline":true,"evaluationUsers":0,"goalUsers":0}""", """{"id":"B","evaluationUsers":1,"goalUsers":1}""") },
        { "x = n", Doc("""{"id":"A","baseline":true,"evaluationUsers":50,"goalUsers":50}""", """{"id":"B","evaluationUsers":50,"goalUsers":0}""") },
        { "n = 10^7", Doc("""{"id":"A","baseline":true,"evaluationUsers":10000000,"goalUsers":3000000,"goalEvents":3500000,"valueSum":3e7,"valueMean":10,"valueVariance":4}""", """{"id":"B","evaluationUsers":10000000,"goalUsers":3001000,"valueSum":3.1e7,"valueMean":10.01,"valueVariance":4}""") },
        { "n = 10^7, x = 0 and x = n", Doc("""{"id":"A","baseline":true,"evaluationUsers":10000000,"goalUsers":0}""", """{"id":"B","evaluationUsers":10000000,"goalUsers":10000000}""") },
        { "one variation", Doc("""{"id":"A","baseline":true,"evaluationUsers":100,"goalUsers":7,"valueMean":3,"valueVariance":1}""") },
        { "all-zero values", Doc("""{"id":"A","baseline":true,"evaluationUsers":100,"goalUsers":7,"valueSum":0,"valueMean":0,"valueVariance":0}""", """{"id":"B","evaluationUsers":100,"goalUsers":9,"valueSum":0,"valueMean":0,"valueVariance":0}""") },
        { "no users at all", Doc("""{"id":"A","baseline":true,"evaluationUsers":0,"goalUsers":0}""", """{"id":"B","evaluationUsers":0,"goalUsers":0}""") },
        { "huge values", Doc("""{"id":"A","baseline":true,"evaluationUsers":100,"goalUsers":50,"valueMean":1e300,"valueVariance":1e300}""", """{"id":"B","evaluationUsers":100,"goalUsers":50,"valueMean":-1e300,"valueVariance":1e300}""") },
        { "one goal user with a variance", Doc("""{"id":"A","baseline":true,"evaluationUsers":100,"goalUsers":1,"valueMean":5,"valueVariance":2}""", """{"id":"B","evaluationUsers":100,"goalUsers":2,"valueMean":6,"valueVariance":3}""") },
        { "overwhelming winner", Doc("""{"id":"A","baseline":true,"evaluationUsers":10000000,"goalUsers":0,"expectedWeight":1}""", """{"id":"B","evaluationUsers":10000000,"goalUsers":10000000,"expectedWeight":1}""") },
        { "a hundred variations", Doc(Enumerable.Range(0, 100).Select(i => $$"""{"id":"v{{i}}","baseline":{{(i == 0 ? "true" : "false")}},"evaluationUsers":{{1000 + i}},"goalUsers":{{100 + i}}}""").ToArray()) },
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void no_number_is_ever_nan_or_infinite(string name, string json)
    {
        var text = CalcRunner.Run(json);

        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        var numbers = 0;
        Walk(document.RootElement, e =>
        {
            Assert.True(double.IsFinite(e.GetDouble()), $"{name}: {e}");
            numbers++;
        });
        Assert.True(numbers > 5, name);
        Assert.Equal(text, CalcRunner.ToJson(CalcRunner.ParseOutput(text))); // and it round-trips
    }

    /// <summary>Magnitudes up to double's limit in every value field and weight: never a throw, NaN or ±∞.</summary>
    public static TheoryData<double, double, long, double> ExtremeMagnitudes()
    {
        var data = new TheoryData<double, double, long, double>();
        foreach (var mean in new[] { 1.0, 1e100, 1.4e154, 1e200, 1e300, 1.7e308, -1.7e308 })
        {
            foreach (var variance in new[] { 1e-300, 1.0, 1e154, 1e300, 1.7e308 })
            {
                foreach (var users in new long[] { 1, 2, 30, 1_000_000 })
                {
                    data.Add(mean, variance, users, mean > 1e250 ? 1.7e308 : 1);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExtremeMagnitudes))]
    public void extreme_magnitudes_give_finite_output_and_a_value_model_that_ran_or_says_why_not(double mean, double variance, long users, double weight)
    {
        var text = CalcRunner.Run(Doc(
            $$"""{"id":"A","baseline":true,"evaluationUsers":{{users * 3}},"goalUsers":{{users}},"valueSum":{{mean:R}},"valueMean":{{mean:R}},"valueVariance":{{variance:R}},"expectedWeight":{{weight:R}}}""",
            $$"""{"id":"B","evaluationUsers":{{users * 3}},"goalUsers":{{users}},"valueSum":{{-mean:R}},"valueMean":{{-mean / 2:R}},"valueVariance":{{variance:R}},"expectedWeight":{{weight:R}}}"""));

        var output = CalcRunner.ParseOutput(text);
        Assert.Equal(CalculationStatus.Computed, output.Status);
        Assert.True(output.ValueModel.Computed || output.ValueModel.Reason is not null);
        Assert.Equal(output.ValueModel.Computed, output.Variations.All(v => v.Value is not null));
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        Assert.NotEqual(SrmStatus.Mismatch, output.Srm!.Status);
    }

    [Fact]
    public void the_field_names_are_stable()
    {
        var text = CalcRunner.Run(Doc(
            """{"id":"A","baseline":true,"evaluationUsers":1000,"goalUsers":100,"valueMean":10,"valueVariance":25,"expectedWeight":1}""",
            """{"id":"B","evaluationUsers":1000,"goalUsers":120,"valueMean":11,"valueVariance":25,"expectedWeight":1}"""));
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal(
            ["goalId", "status", "reason", "notes", "method", "variations", "summary", "valueModel", "srm"],
            Names(root));
        var variation = root.GetProperty("variations")[1];
        Assert.Equal(
            ["id", "baseline", "evaluationUsers", "goalUsers", "goalEvents", "valueSum", "valueMean", "valueVariance", "conversionRate", "valuePerUser", "cvr", "value"],
            Names(variation));
        Assert.Equal(
            ["alpha", "beta", "mean", "sd", "median", "p025", "p975", "probBest", "probBeatBaseline", "expectedLoss", "bayesFactor"],
            Names(variation.GetProperty("cvr")));
        Assert.Equal(
            ["location", "scale", "degreesOfFreedom", "mean", "sd", "median", "p025", "p975", "probBest", "probBeatBaseline", "bayesFactor"],
            Names(variation.GetProperty("value")));
        Assert.Equal(
            ["goalUserCount", "bestVariations", "bestVariationsValue", "cvrSafeToStop", "valueSafeToStop"],
            Names(root.GetProperty("summary")));
        Assert.Equal(
            ["status", "pValue", "chiSquare", "degreesOfFreedom", "threshold", "reason", "variations"],
            Names(root.GetProperty("srm")));
        Assert.Equal("computed", root.GetProperty("status").GetString());
        Assert.Equal("OK", root.GetProperty("srm").GetProperty("status").GetString());
    }

    [Fact]
    public void a_not_computable_goal_says_why_and_keeps_the_fields()
    {
        var text = CalcRunner.Run(Doc("""{"id":"A","baseline":true,"evaluationUsers":0,"goalUsers":0}"""));
        using var document = JsonDocument.Parse(text);
        Assert.Equal("notComputable", document.RootElement.GetProperty("status").GetString());
        Assert.Contains("No evaluation users", document.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("variations")[0].GetProperty("cvr").ValueKind);
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();

    private static void Walk(JsonElement element, Action<JsonElement> onNumber)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                onNumber(element);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, onNumber);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, onNumber);
                }

                break;
        }
    }
}
