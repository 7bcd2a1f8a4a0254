using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

public sealed class When_a_command_names_an_unknown_experiment
{
    public static TheoryData<string> Commands =>
        [nameof(StartExperiment), nameof(StopExperiment), nameof(ForceStopExperiment), nameof(ChangeExperimentPeriod), nameof(ArchiveExperiment)];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_sender_hears_unknown_experiment_and_no_row_appears(string command)
    {
        await using var h = await LifecycleHarness.StartAsync();
        var id = Guid.NewGuid();

        var answer = command switch
        {
            nameof(StartExperiment) => await h.SendAsync(new StartExperiment { ExperimentId = id }),
            nameof(StopExperiment) => await h.SendAsync(new StopExperiment { ExperimentId = id }),
            nameof(ForceStopExperiment) => await h.SendAsync(new ForceStopExperiment { ExperimentId = id }),
            nameof(ChangeExperimentPeriod) => await h.SendAsync(new ChangeExperimentPeriod { ExperimentId = id, StartAt = Experiments.Now, StopAt = Experiments.Now + 60 }),
            _ => await h.SendAsync(new ArchiveExperiment { ExperimentId = id }),
        };

        var rejected = answer.ShouldBeRejected("unknown experiment");
        Assert.Equal(id, rejected.ExperimentId);
        Assert.Equal(command, rejected.Command);
        Assert.Null(rejected.Status);
        Assert.Null(await h.RowAsync(id));
    }

    [Fact]
    public async Task A_command_sent_without_a_response_address_gets_its_answer_published()
    {
        await using var h = await LifecycleHarness.StartAsync();
        var id = Guid.NewGuid();
        var endpoint = await h.Harness.Bus.GetSendEndpoint(new Uri($"queue:{ExperimentLifecycleOptions.DefaultEndpointName}"));

        await endpoint.Send(new StartExperiment { ExperimentId = id });

        Assert.True(await h.Harness.Published.Any<ExperimentCommandRejected>(m => m.Context.Message.ExperimentId == id));
        var rejected = h.PublishedFor<ExperimentCommandRejected>(id, m => m.ExperimentId).Single();
        Assert.Equal("unknown experiment", rejected.Reason);
    }
}
