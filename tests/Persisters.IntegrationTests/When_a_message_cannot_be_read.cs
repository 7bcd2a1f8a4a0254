using System.Text;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;
using RabbitMQ.Client;

namespace Persisters.IntegrationTests;

public sealed class When_a_message_cannot_be_read
{
    [Fact]
    public async Task A_malformed_payload_goes_to_the_error_queue_with_the_reason_and_the_good_events_are_stored()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "malformed", now);
        await sut.SeedAsync(experiment);
        await using var host = await sut.StartHostAsync();

        var factory = new ConnectionFactory
        {
            HostName = TestServers.RabbitMqHost,
            Port = TestServers.RabbitMqPort,
            VirtualHost = sut.VirtualHost.Name,
            UserName = TestServers.RabbitMqUser,
            Password = TestServers.RabbitMqPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString() };
        var body = Encoding.UTF8.GetBytes(
            "{\"messageId\":\"" + properties.MessageId + "\",\"messageType\":[\"urn:message:Persisters.Contracts:EvaluationEvent\"]," +
            "\"message\":{\"id\":\"bad-1\",\"environmentId\":\"it\",\"timestamp\":\"not a number\"}}");
        await channel.BasicPublishAsync("Persisters.Contracts:EvaluationEvent", "", false, properties, body);
        var good = SyntheticTraffic.Create(experiment, 50, 0, 0, seed: 3, now);
        await sut.PublishAsync(good.Evaluations);

        var rows = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'",
            good.ExpectedEvaluationRows, TimeSpan.FromSeconds(60));
        Assert.Equal(good.ExpectedEvaluationRows, rows);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<Dictionary<string, string>> errors = [];
        while (errors.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            errors = await sut.VirtualHost.TakeHeadersAsync("evaluation-events-dwh_error", 10);
        }
        var error = Assert.Single(errors);
        Assert.Contains("MT-Fault-Message", error.Keys);
        Assert.False(string.IsNullOrWhiteSpace(error["MT-Fault-Message"]));
    }

    [Fact]
    public async Task A_message_of_the_wrong_type_sent_to_a_persister_queue_is_moved_to_its_skipped_queue()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        // The DWH endpoints are connected only while an experiment is live.
        await sut.SeedAsync(SyntheticTraffic.Experiment("it", "skipped", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var host = await sut.StartHostAsync();

        var endpoint = await sut.Bus.GetSendEndpoint(new Uri("queue:evaluation-events-dwh"));
        await endpoint.Send(new GoalEvent { Id = "wrong-queue", EnvironmentId = "it", Timestamp = 1, GoalId = "g", UserId = "u" });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<Dictionary<string, string>> skipped = [];
        while (skipped.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            skipped = await sut.VirtualHost.TakeHeadersAsync("evaluation-events-dwh_skipped", 10);
        }
        Assert.Single(skipped);
    }
}
