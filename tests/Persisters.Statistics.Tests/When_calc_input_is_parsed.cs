using Persisters.Statistics.Json;

namespace Persisters.Statistics.Tests;

public class When_calc_input_is_parsed
{
    private const string IssueExample = """
        {"variations":[
          {"id":"A","baseline":true,"evaluationUsers":101,"goalUsers":38,"goalEvents":40,"valueSum":0,"valueMean":0,"valueVariance":0},
          {"id":"B","evaluationUsers":99,"goalUsers":45,"goalEvents":50}
        ]}
        """;

    [Fact]
    public void the_issue_example_parses_with_optional_fields_defaulted()
    {
        var input = CalcRunner.ParseInput(IssueExample);
        Assert.Equal(2, input.Variations!.Count);
        Assert.True(input.Variations[0].Baseline);
        Assert.Null(input.Variations[1].Baseline);
        Assert.Null(input.Variations[1].ValueMean);

        var output = CalcRunner.Compute(input);
        Assert.Equal(CalculationStatus.Computed, output.Status);
        Assert.Null(output.Srm);
    }

    [Theory]
    [InlineData("""{"variations":[{"id":"A","evaluationUsers":1,"goalUsers":0}]}""", "$.variations", "baseline")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":1,"goalUsers":0},{"id":"B","baseline":true,"evaluationUsers":1,"goalUsers":0}]}""", "$.variations[1].baseline", "second baseline")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":1,"goalUsers":0},{"id":"A","evaluationUsers":1,"goalUsers":0}]}""", "$.variations[1].id", "duplicate id 'A'")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":-1}]}""", "$.variations[0].goalUsers", "negative")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":-10,"goalUsers":0}]}""", "$.variations[0].evaluationUsers", "negative")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1},{"id":"B","evaluationUsers":10,"goalUsers":11}]}""", "$.variations[1].goalUsers", "exceeds evaluationUsers (10)")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"goalUsers":1}]}""", "$.variations[0].evaluationUsers", "required")]
    [InlineData("""{"variations":[{"baseline":true,"evaluationUsers":1,"goalUsers":1}]}""", "$.variations[0].id", "required")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":"ten","goalUsers":1}]}""", "$.variations[0].evaluationUsers", "whole number")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10.5,"goalUsers":1}]}""", "$.variations[0].evaluationUsers", "whole number")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1,"valueVariance":-2}]}""", "$.variations[0].valueVariance", "negative")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUser":1}]}""", "goalUser", "unknown field")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1,"expectedWeight":1},{"id":"B","evaluationUsers":10,"goalUsers":1}]}""", "$.variations[1].expectedWeight", "every variation or for none")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1,"valueSum":1e309}]}""", "$.variations[0].valueSum", "not a finite number")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1,"valueVariance":-1e400}]}""", "$.variations[0].valueVariance", "not a finite number")]
    [InlineData("""{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":1,"expectedWeight":2e308}]}""", "$.variations[0].expectedWeight", "not a finite number")]
    [InlineData("""{"variations":[]}""", "$.variations", "at least one")]
    [InlineData("""{}""", "$.variations", "required")]
    [InlineData("""null""", "$", "null")]
    [InlineData("""not json""", "$", "not valid JSON")]
    public void bad_input_is_rejected_naming_the_field(string json, string field, string problem)
    {
        var e = Assert.Throws<CalcInputException>(() => CalcRunner.ParseInput(json));
        Assert.Contains(field, e.Field, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void compute_validates_inputs_built_in_code_too()
    {
        var input = new CalcInput { Variations = [new CalcInputVariation { Id = "A", EvaluationUsers = 1, GoalUsers = 2, Baseline = true }] };
        var e = Assert.Throws<CalcInputException>(() => CalcRunner.Compute(input));
        Assert.Equal("$.variations[0].goalUsers", e.Field);
    }

    [Fact]
    public void expected_weights_add_the_sample_ratio_check()
    {
        var output = CalcRunner.Compute(CalcRunner.ParseInput("""
            {"variations":[{"id":"A","baseline":true,"evaluationUsers":600,"goalUsers":60,"expectedWeight":50},
                           {"id":"B","evaluationUsers":400,"goalUsers":40,"expectedWeight":50}]}
            """));
        // χ² = 2 · 100² / 500 = 40 with 1 dof: p ≈ 2.5e-10.
        Assert.Equal(Srm.SrmStatus.Mismatch, output.Srm!.Status);
        Near.Equal(40, output.Srm.ChiSquare, 1e-12);
    }
}
