using System.Text.Encodings.Web;
using System.Text.Json;
using Persisters.Statistics.Srm;

namespace Persisters.Statistics.Json;

/// <summary>
/// The <c>calc</c> verb without its I/O: parse and validate the counts document, compute, serialise.
/// The host reads and writes the files.
/// </summary>
public static class CalcRunner
{
    // The default encoder escapes ' as \u0027, which makes reasons such as "variation 'B' …" hard to read.
    private static readonly StatisticsJsonContext Writer = new(
        new JsonSerializerOptions(StatisticsJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Parses and validates a counts document; throws <see cref="CalcInputException"/> naming the field.</summary>
    public static CalcInput ParseInput(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        CalcInput? input;
        try
        {
            input = JsonSerializer.Deserialize(json, StatisticsJsonContext.Default.CalcInput);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new CalcInputException(path, Describe(path, e) + where + ".", e);
        }

        if (input is null)
        {
            throw new CalcInputException("$", "expected a JSON object with a \"variations\" array, got null.");
        }

        Validate(input);
        return input;
    }

    /// <summary>Validates (throws <see cref="CalcInputException"/>), then computes the results and, when weights are given, the SRM check.</summary>
    public static CalcOutput Compute(CalcInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        var variations = input.Variations!;
        var counts = variations
            .Select(v => new VariationCounts(
                v.Id!,
                v.Baseline ?? false,
                v.EvaluationUsers!.Value,
                v.GoalUsers!.Value,
                v.GoalEvents ?? 0,
                v.ValueSum ?? 0,
                v.ValueMean ?? 0,
                v.ValueVariance ?? 0))
            .ToList();
        var calculation = ExperimentCalculator.Calculate(counts);
        SrmResult? srm = null;
        if (variations.All(v => v.ExpectedWeight is not null))
        {
            srm = SampleRatioMismatch.Check(variations
                .Select(v => new SrmVariationInput(v.Id!, v.EvaluationUsers!.Value, v.ExpectedWeight!.Value))
                .ToList());
        }

        return CalcOutput.From(calculation, input.GoalId, srm);
    }

    /// <summary>Indented camelCase JSON (apostrophes and non-ASCII letters written as they are).</summary>
    public static string ToJson(CalcOutput output) =>
        JsonSerializer.Serialize(output, Writer.CalcOutput);

    /// <summary>Reads a document written by <see cref="ToJson"/> (for re-rendering a chart).</summary>
    public static CalcOutput ParseOutput(string json) =>
        JsonSerializer.Deserialize(json, StatisticsJsonContext.Default.CalcOutput)
        ?? throw new CalcInputException("$", "expected a calc output object, got null.");

    /// <summary>ParseInput, Compute and ToJson in one call.</summary>
    public static string Run(string inputJson) => ToJson(Compute(ParseInput(inputJson)));

    private static void Validate(CalcInput input)
    {
        if (input.Variations is null)
        {
            throw new CalcInputException("$.variations", "required: an array of variations.");
        }

        if (input.Variations.Count == 0)
        {
            throw new CalcInputException("$.variations", "at least one variation is required.");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int? baseline = null;
        for (var i = 0; i < input.Variations.Count; i++)
        {
            var at = $"$.variations[{i}]";
            var v = input.Variations[i] ?? throw new CalcInputException(at, "expected an object, got null.");
            if (string.IsNullOrWhiteSpace(v.Id))
            {
                throw new CalcInputException($"{at}.id", "required: a non-empty string.");
            }

            if (seen.TryGetValue(v.Id, out var first))
            {
                throw new CalcInputException($"{at}.id", $"duplicate id '{v.Id}' (also $.variations[{first}]).");
            }

            seen[v.Id] = i;
            if (v.Baseline == true)
            {
                if (baseline is { } b)
                {
                    throw new CalcInputException($"{at}.baseline", $"a second baseline; $.variations[{b}] is already the baseline.");
                }

                baseline = i;
            }

            var evaluationUsers = Required(v.EvaluationUsers, $"{at}.evaluationUsers");
            var goalUsers = Required(v.GoalUsers, $"{at}.goalUsers");
            NonNegative(evaluationUsers, $"{at}.evaluationUsers");
            NonNegative(goalUsers, $"{at}.goalUsers");
            NonNegative(v.GoalEvents ?? 0, $"{at}.goalEvents");
            if (evaluationUsers > ExperimentCalculator.MaximumUsers)
            {
                throw new CalcInputException($"{at}.evaluationUsers", $"{evaluationUsers} is above the supported {ExperimentCalculator.MaximumUsers}.");
            }

            if (goalUsers > evaluationUsers)
            {
                throw new CalcInputException($"{at}.goalUsers", $"{goalUsers} exceeds evaluationUsers ({evaluationUsers}).");
            }

            Finite(v.ValueSum, $"{at}.valueSum");
            Finite(v.ValueMean, $"{at}.valueMean");
            Finite(v.ValueVariance, $"{at}.valueVariance");
            Finite(v.ExpectedWeight, $"{at}.expectedWeight");
            if (v.ValueVariance < 0)
            {
                throw new CalcInputException($"{at}.valueVariance", $"{v.ValueVariance} is negative.");
            }

            if (v.ExpectedWeight < 0)
            {
                throw new CalcInputException($"{at}.expectedWeight", $"{v.ExpectedWeight} is negative.");
            }
        }

        if (baseline is null)
        {
            throw new CalcInputException("$.variations", "no variation has \"baseline\": true; exactly one must.");
        }

        var weighted = input.Variations.Count(v => v.ExpectedWeight is not null);
        if (weighted > 0 && weighted < input.Variations.Count)
        {
            var missing = input.Variations.ToList().FindIndex(v => v.ExpectedWeight is null);
            throw new CalcInputException($"$.variations[{missing}].expectedWeight", "give expectedWeight for every variation or for none.");
        }
    }

    private static long Required(long? value, string field) =>
        value ?? throw new CalcInputException(field, "required: a whole number ≥ 0.");

    private static void NonNegative(long value, string field)
    {
        if (value < 0)
        {
            throw new CalcInputException(field, $"{value} is negative.");
        }
    }

    private static void Finite(double? value, string field)
    {
        if (value is { } x && !double.IsFinite(x))
        {
            throw new CalcInputException(field, $"{x} is not a finite number.");
        }
    }

    private static string Describe(string path, JsonException e)
    {
        var name = path.Split('.')[^1];
        var expected = name switch
        {
            "evaluationUsers" or "goalUsers" or "goalEvents" => "a whole number",
            "valueSum" or "valueMean" or "valueVariance" or "expectedWeight" => "a number",
            "baseline" => "true or false",
            "id" or "goalId" => "a string",
            "variations" => "an array of variation objects",
            _ => null,
        };
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "unknown field (check the spelling; fields are camelCase)";
        }

        return expected is not null ? $"expected {expected}" : $"not valid JSON for a counts document ({FirstSentence(e.Message)})";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
