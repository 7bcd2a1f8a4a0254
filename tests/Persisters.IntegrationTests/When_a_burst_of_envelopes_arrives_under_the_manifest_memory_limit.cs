using System.Diagnostics;
using System.Text.RegularExpressions;
using Persisters.Bench.Shared;
using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests;

/// <summary>
/// Memory is bounded by bytes in flight, not by messages (issue 11, item 5): the real host, inside a cgroup v1 memory limit
/// equal to the Kubernetes manifest's (what a container runtime applies), takes a burst of 100,000 events in envelopes of 100
/// that waits in its queue when the experiment starts, stores every event and is not OOM-killed, and its peak resident set
/// stays within the manifest's memory request. Speed is not asserted (bench/Persisters.Memory.Bench measures it).
/// </summary>
public sealed partial class When_a_burst_of_envelopes_arrives_under_the_manifest_memory_limit(ITestOutputHelper output)
{
    [Fact]
    public async Task The_host_stores_every_event_without_being_killed_and_within_its_memory_request()
    {
        var (request, limit) = ManifestMemory();
        await using var sut = await ServiceUnderTest.CreateAsync();
        using var cgroup = MemoryCgroup.Create($"persisters-it-{Guid.NewGuid():N}"[..28], limit);
        await using var host = HostProcess.Start(sut.Environment, cgroup, "run");
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var x = SyntheticTraffic.Experiment("it", "burst-" + Guid.NewGuid().ToString("N")[..6], now);
        var traffic = SyntheticTraffic.Create(x, 100_000, 0, 0, seed: 41, now);
        var envelopes = traffic.Evaluations.Chunk(100).Select(c => new EvaluationEventBatch { Events = c }).ToList();
        await sut.PublishAsync(envelopes);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh) < envelopes.Count && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(envelopes.Count, await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh));

        // The experiment starts on a full queue: the whole burst is there for the endpoint the moment it connects.
        var watch = Stopwatch.StartNew();
        var create = await sut.RunVerbAsync(host, "experiments", "create", "--environment", x.EnvironmentId, "--feature", x.FeatureId, "--variations", "A,B",
            "--goals", x.GoalIds[0], "--start-at", x.StartAt.ToString(), "--stop-at", x.StopAt.ToString());
        Assert.True(create.ExitCode == 0, create.Output);
        var countSql = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{x.FeatureId}'";
        long rows;
        while ((rows = await sut.Database.ScalarAsync(countSql)) < traffic.ExpectedEvaluationRows && !host.HasExited && watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
        }
        var drained = watch.Elapsed;
        rows = await sut.WaitForCountAsync(countSql, traffic.ExpectedEvaluationRows, TimeSpan.Zero);
        var memory = ProcessMemory.Read(host.ProcessId);

        output.WriteLine($"{traffic.ExpectedEvaluationRows} events in {envelopes.Count} envelopes stored in {drained.TotalSeconds:0.0} s; host peak RSS " +
                         $"{(memory?.PeakRss ?? 0) / (1 << 20)} MiB (request {request >> 20} MiB); cgroup peak charge {cgroup.MaxUsageBytes >> 20} MiB of " +
                         $"{limit >> 20} MiB, limit hits {cgroup.FailCount}, OOM kills {cgroup.OomKills}");
        Assert.False(host.HasExited, $"The host exited under the {limit >> 20} MiB limit:\n{host.Output}");
        Assert.Equal(0, cgroup.OomKills);
        Assert.Equal(traffic.ExpectedEvaluationRows, rows);
        Assert.NotNull(memory);
        Assert.True(memory.Value.PeakRss <= request, $"Peak RSS {memory.Value.PeakRss >> 20} MiB is above the manifest's memory request {request >> 20} MiB.");
    }

    /// <summary>The persisters container's memory request and limit in deploy/kubernetes/base/deployment.yaml, in bytes.</summary>
    private static (long Request, long Limit) ManifestMemory()
    {
        var yaml = File.ReadAllText(Path.Combine(ReadmeTables.RepositoryRoot, "deploy", "kubernetes", "base", "deployment.yaml"));
        var m = Resources().Match(yaml);
        Assert.True(m.Success, "deployment.yaml has no resources block with memory request and limit");
        return (Mebibytes(m.Groups["request"].Value), Mebibytes(m.Groups["limit"].Value));
    }

    private static long Mebibytes(string quantity) => long.Parse(quantity) << 20;

    [GeneratedRegex(@"resources:\s+requests:\s+(?:cpu:\s+\S+\s+)?memory:\s+(?<request>\d+)Mi\s+limits:\s+(?:cpu:\s+\S+\s+)?memory:\s+(?<limit>\d+)Mi")]
    private static partial Regex Resources();
}
