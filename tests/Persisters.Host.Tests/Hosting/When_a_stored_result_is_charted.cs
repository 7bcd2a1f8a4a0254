using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Persisters.Tests.Hosting;

public sealed class When_a_stored_result_is_charted
{
    private static async Task<(int ExitCode, string Output)> Verb(string database, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(database)! };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "persisters.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["Database__ConnectionString"] = $"Data Source={database}";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task The_demo_result_is_drawn_from_the_database_and_an_unknown_experiment_is_named()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var database = Path.Combine(dir, "demo.db");
        var (demoExit, demoOutput) = await Verb(database, "demo");
        Assert.True(demoExit == 0, demoOutput);
        string experimentId;
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            await using var cmd = new SqliteCommand("SELECT id FROM experiment_result", connection);
            experimentId = (string)(await cmd.ExecuteScalarAsync())!;
        }
        SqliteConnection.ClearAllPools();
        var chart = Path.Combine(dir, "stored.svg");

        var (exit, output) = await Verb(database, "chart", "--experiment", experimentId, "--output", chart);
        var (missingExit, missingOutput) = await Verb(database, "chart", "--experiment", Guid.NewGuid().ToString(), "--output", chart);

        Assert.True(exit == 0, output);
        Assert.StartsWith("<svg", File.ReadAllText(chart).TrimStart());
        Assert.Equal(1, missingExit);
        Assert.Contains("No stored result", missingOutput);
    }
}
