using System.CommandLine;
using Persisters.Host.Configuration;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;

namespace Persisters.Host.Cli;

/// <summary>The <c>calc</c> verb: counts in, results (and optionally a chart) out.</summary>
public static class CalcCommand
{
    /// <summary>The verb and its options.</summary>
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "JSON document of per-variation counts.", Required = true }.AcceptExistingOnly();
        var output = new Option<FileInfo?>("--output") { Description = "Where to write the result JSON (default: standard output)." };
        var chart = new Option<FileInfo?>("--chart") { Description = "Also render the posteriors as an SVG chart to this file." }.Svg();
        var calc = new Command("calc", "Compute exact Bayesian experiment results from a JSON file of counts; no database needed.") { input, output, chart };
        calc.SetAction((p, ct) => PersistersCommandLine.Guard(() => RunAsync(p.GetValue(input)!, p.GetValue(output), p.GetValue(chart), ct)));
        return calc;
    }

    public static async Task<int> RunAsync(FileInfo input, FileInfo? output, FileInfo? chart, CancellationToken ct)
    {
        if (!input.Exists) throw new SettingsException($"--input '{input.FullName}' does not exist.");
        if (chart is not null && !chart.Extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingsException($"--chart '{chart.Name}': only .svg charts are supported.");
        }

        CalcOutput result;
        try
        {
            result = CalcRunner.Compute(CalcRunner.ParseInput(await File.ReadAllTextAsync(input.FullName, ct)));
        }
        catch (CalcInputException ex)
        {
            await Console.Error.WriteLineAsync($"Bad input in {input.Name}: {ex.Message}");
            return 2;
        }

        var json = CalcRunner.ToJson(result);
        if (output is null) Console.WriteLine(json);
        else await File.WriteAllTextAsync(output.FullName, json, ct);
        if (chart is not null)
        {
            await File.WriteAllTextAsync(chart.FullName, SvgChart.Render(result), ct);
            await Console.Error.WriteLineAsync($"Chart written to {chart.FullName}");
        }
        return 0;
    }
}
