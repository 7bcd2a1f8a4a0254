using MassTransit;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Field report: <c>experiments create --start-at 1796035161000</c> (milliseconds) on a broker faulted the saga with an
/// ArgumentOutOfRangeException and the CLI printed a RequestFaultException; <c>autoops create --clause B:error:50:NaN:ge</c> crashed
/// with a serialization trace. Right: the CLI refuses them (exit 2, the form it expects), and the real service answers
/// "rejected: reason" to any sender, here a raw MassTransit request, and never faults; times up to the last representable
/// second go through the real durable scheduler.
/// </summary>
public sealed class When_operators_send_values_the_service_cannot_represent
{
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static CreateExperiment Experiment(long startAt, long stopAt) => new()
    {
        ExperimentId = Guid.NewGuid(),
        EnvironmentId = "env-hostile",
        Name = "hostile",
        FeatureId = "flag-" + Guid.NewGuid().ToString("N")[..8],
        FeatureVersion = 1,
        VariationIds = ["a", "b"],
        BaselineVariationId = "a",
        GoalIds = ["g"],
        StartAt = startAt,
        StopAt = stopAt,
    };

    [Fact]
    public async Task The_CLI_refuses_them_and_the_running_service_rejects_them_from_any_sender()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        await using var host = await sut.StartHostAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var milliseconds = await sut.RunVerbAsync("experiments", "create", "--environment", "env-hostile", "--feature", "f", "--variations", "a,b", "--goals", "g",
            "--start-at", "1796035161000");
        var nan = await sut.RunVerbAsync("autoops", "create", "--environment", "env-hostile", "--feature", "f", "--clause", "B:error:50:NaN:ge");

        Assert.True(milliseconds.ExitCode == 2, milliseconds.Output);
        Assert.Contains("--start-at '1796035161000' looks like milliseconds", milliseconds.Output);
        Assert.True(nan.ExitCode == 2, nan.Output);
        Assert.Contains("THRESHOLD 'NaN' is not a finite number", nan.Output);
        Assert.DoesNotContain("   at ", milliseconds.Output + nan.Output);

        var experiments = sut.Bus.CreateRequestClient<CreateExperiment>(new Uri("queue:experiment-lifecycle"), RequestTimeout.After(s: 30));
        var rejected = await experiments.GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(Experiment(1_796_035_161_000, 1_796_121_561_000));
        Assert.True(rejected.Is(out Response<ExperimentCommandRejected>? startInMilliseconds), "a start in milliseconds was accepted");
        Assert.Contains("start_at (1796035161000) is not a time in unix seconds", startInMilliseconds!.Message.Reason);

        var rules = sut.Bus.CreateRequestClient<CreateAutoOpsRule>(new Uri("queue:auto-ops-rules"), RequestTimeout.After(s: 30));
        var longEnvironment = await rules.GetResponse<AutoOpsCommandAccepted, AutoOpsCommandRejected>(new CreateAutoOpsRule
        {
            RuleId = Guid.NewGuid(), EnvironmentId = new string('e', 65), FeatureId = "f", FeatureVersion = 1,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "a", GoalId = "g", MinCount = 1, Threshold = 0.5 }],
        });
        Assert.True(longEnvironment.Is(out Response<AutoOpsCommandRejected>? overColumn), "an environment over its column was accepted");
        Assert.Contains("EnvironmentId is longer than 64 characters", overColumn!.Message.Reason);

        // The last second that can be scheduled: the real Quartz store takes the stop timer of a running experiment there.
        var lastDay = Experiment(now - 10, MaxUnixSeconds - (long)TimeSpan.FromDays(2).TotalSeconds);
        var accepted = await experiments.GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(lastDay);
        Assert.True(accepted.Is(out Response<ExperimentCommandAccepted>? running), "an experiment ending on the last representable day was rejected");
        Assert.Equal("created and started", running!.Message.Detail);

        Assert.DoesNotContain("ArgumentOutOfRangeException", host.Output);
        Assert.DoesNotContain("faulted", host.Output);
        Assert.DoesNotContain("R-FAULT", host.Output);
        Assert.Equal(0, await sut.Database.ScalarAsync("SELECT COUNT(*) FROM experiment WHERE start_at > 253402300799 OR stop_at > 253402300799"));
    }
}
