using Persisters.Host.Cli;

namespace Persisters.Tests.Calculator;

public sealed class When_the_demo_runs
{
    [Fact]
    public async Task It_streams_events_through_the_persisters_calculates_and_writes_the_chart()
    {
        var chart = Path.Combine(Environment.CurrentDirectory, "demo-chart.svg");
        File.Delete(chart);

        var exitCode = await DemoCommand.RunAsync([], CancellationToken.None);

        Assert.Equal(0, exitCode);
        var svg = await File.ReadAllTextAsync(chart);
        Assert.StartsWith("<svg", svg.TrimStart());
        Assert.Contains("Goal purchase", svg);
        File.Delete(chart);
    }
}
