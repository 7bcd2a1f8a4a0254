using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.Calculator;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;

namespace Persisters.Host.Cli;

/// <summary>The <c>chart</c> verb: renders a stored experiment result (from <c>experiment_result</c>) as SVG.</summary>
public static class ChartCommand
{
    /// <summary>The verb and its options.</summary>
    public static Command Create()
    {
        var experimentId = new Option<Guid>("--experiment") { Description = "Experiment id whose stored result to draw.", Required = true };
        var goal = new Option<string?>("--goal") { Description = "Goal to draw (default: the first)." };
        var output = new Option<FileInfo>("--output") { Description = "SVG file to write.", Required = true }.Svg();
        var chart = HostArguments.AllowOn(new Command("chart", "Render a stored experiment result (experiment_result) as an SVG chart.") { experimentId, goal, output });
        chart.SetAction((p, ct) => PersistersCommandLine.Guard(() => RunAsync(HostArguments.Of(p), p.GetValue(experimentId), p.GetValue(goal), p.GetValue(output)!, ct)));
        return chart;
    }

    public static async Task<int> RunAsync(string[] hostArgs, Guid experimentId, string? goalId, FileInfo output, CancellationToken ct)
    {
        if (!output.Extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingsException($"--output '{output.Name}': only .svg charts are supported.");
        }
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await using var db = host.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        var row = await db.ExperimentResults.AsNoTracking().SingleOrDefaultAsync(r => r.Id == experimentId, ct);
        if (row is null)
        {
            await Console.Error.WriteLineAsync($"No stored result for experiment {experimentId}.");
            return 1;
        }

        var document = CalculatorJsonContext.Parse(row.Data);
        var goal = goalId is null ? document.Goals.FirstOrDefault() : document.Goals.FirstOrDefault(g => g.GoalId == goalId);
        if (goal is null)
        {
            await Console.Error.WriteLineAsync($"The stored result of {experimentId} has no goal {goalId ?? "at all"}; goals: {string.Join(", ", document.Goals.Select(g => g.GoalId))}.");
            return 1;
        }
        await File.WriteAllTextAsync(output.FullName, SvgChart.Render(CalcOutput.From(goal.Calculation, goal.GoalId, document.Srm)), ct);
        Console.WriteLine($"Chart of goal {goal.GoalId} (results of {DateTimeOffset.FromUnixTimeSeconds(row.UpdatedAt):u}) written to {output.FullName}");
        return 0;
    }
}
