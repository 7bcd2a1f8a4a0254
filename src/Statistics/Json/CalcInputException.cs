namespace Persisters.Statistics.Json;

/// <summary>The calc input is malformed or inconsistent; <see cref="Field"/> is the JSON path of the culprit.</summary>
public sealed class CalcInputException : Exception
{
    public CalcInputException(string field, string problem, Exception? inner = null)
        : base($"{field}: {problem}", inner)
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>JSON path such as <c>$.variations[1].goalUsers</c>.</summary>
    public string Field { get; }

    public string Problem { get; }
}
