using System.Diagnostics;
using System.Text.Json;

namespace Persisters.Tests.Hosting;

public sealed class When_the_calc_verb_runs
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> Calc(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "persisters.dll"));
        info.ArgumentList.Add("calc");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Counts_in_give_results_and_a_chart_out()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var input = Path.Combine(dir, "counts.json");
        var chart = Path.Combine(dir, "chart.svg");
        File.WriteAllText(input, """
            {"variations":[{"id":"A","baseline":true,"evaluationUsers":1000,"goalUsers":100,"goalEvents":120},
                           {"id":"B","evaluationUsers":1000,"goalUsers":160,"goalEvents":170}]}
            """);

        var (exit, stdout, stderr) = await Calc("--input", input, "--chart", chart);

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var b = doc.RootElement.GetProperty("variations").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "B");
        Assert.InRange(b.GetProperty("cvr").GetProperty("probBeatBaseline").GetDouble(), 0.999, 1.0);
        Assert.StartsWith("<svg", File.ReadAllText(chart).TrimStart());
    }

    [Fact]
    public async Task Bad_counts_are_refused_with_the_field_named()
    {
        var input = Path.Combine(Directory.CreateTempSubdirectory().FullName, "counts.json");
        File.WriteAllText(input, """{"variations":[{"id":"A","baseline":true,"evaluationUsers":10,"goalUsers":20}]}""");

        var (exit, _, stderr) = await Calc("--input", input);

        Assert.Equal(2, exit);
        Assert.Contains("goalUsers", stderr);
    }
}
