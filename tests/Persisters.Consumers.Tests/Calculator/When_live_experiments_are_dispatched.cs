using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Tests.Support;
using static Persisters.Tests.Calculator.Rows;

namespace Persisters.Tests.Calculator;

public sealed class When_live_experiments_are_dispatched
{
    [Fact]
    public async Task One_command_is_sent_per_running_or_recently_stopped_experiment_only()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var running = Events.Experiment(now, feature: "f-running");
        var inTail = Events.Experiment(now, feature: "f-tail", status: ExperimentStatus.Stopped, startAt: now - 5 * Day, stopAt: now - Day);
        var pastTail = Events.Experiment(now, feature: "f-old", status: ExperimentStatus.Stopped, startAt: now - 9 * Day, stopAt: now - 3 * Day);
        var waiting = Events.Experiment(now, feature: "f-waiting", status: ExperimentStatus.Waiting, startAt: now + Day, stopAt: now + 2 * Day);
        var finished = Events.Experiment(now, feature: "f-finished", status: ExperimentStatus.Finished, startAt: now - 9 * Day, stopAt: now - 5 * Day);
        var archived = Events.Experiment(now, feature: "f-archived") with { Archived = true };
        foreach (var x in new[] { running, inTail, pastTail, waiting, finished, archived }) await h.SeedAsync(x);

        var endpoint = await h.Harness.Bus.GetSendEndpoint(CalculatorQueues.Address);
        await endpoint.Send(new RunExperimentCalculations());
        Assert.True(await h.Harness.GetConsumerHarness<ExperimentCalculationsDispatcher>().Consumed.Any<RunExperimentCalculations>(CalculatorHarness.Patience()));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (h.Harness.GetConsumerHarness<ExperimentResultsCalculator>().Consumed.Select<CalculateExperimentResults>().Count() < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var sent = h.Harness.Sent.Select<CalculateExperimentResults>().Select(m => m.Context.Message.ExperimentId).ToList();
        Assert.Equal(new[] { running.ExperimentId, inTail.ExperimentId }.Order(), sent.Order());
        Assert.All(h.Harness.Sent.Select<CalculateExperimentResults>(), m => Assert.Equal(CalculatorQueues.Calculator, m.Context.DestinationAddress!.AbsolutePath.Trim('/')));
    }

    [Fact]
    public async Task No_command_is_sent_when_nothing_is_live()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, status: ExperimentStatus.Finished, startAt: now - 9 * Day, stopAt: now - 5 * Day));

        var endpoint = await h.Harness.Bus.GetSendEndpoint(CalculatorQueues.Address);
        await endpoint.Send(new RunExperimentCalculations());

        Assert.True(await h.Harness.GetConsumerHarness<ExperimentCalculationsDispatcher>().Consumed.Any<RunExperimentCalculations>(CalculatorHarness.Patience()));
        Assert.False(await h.Harness.Sent.Any<CalculateExperimentResults>());
    }
}
