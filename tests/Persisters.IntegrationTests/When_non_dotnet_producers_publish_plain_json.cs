using System.Text.Json.Nodes;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 13, item 4: the runnable example of docs/plain-json-publishing.md (Node, docs/examples/plain-json) publishes plain JSON,
/// no MassTransit envelope, to RabbitMQ and to SQS; the running service stores it exactly as it stores MassTransit-published
/// events, one message per event and envelopes alike.
/// </summary>
public sealed class When_non_dotnet_producers_publish_plain_json
{
    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AmazonSqs)]
    public async Task The_documented_example_delivers_single_events_and_envelopes_to_the_persisters(Broker broker)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "plain", now);
        await sut.SeedAsync(experiment);
        // A goal that arrives before its user's evaluation is parked; retry it within seconds, not minutes.
        sut.Environment["Persisters__GoalRetry__InitialInterval"] = "00:00:01";
        sut.Environment["Persisters__GoalRetry__PollInterval"] = "00:00:01";
        await using var host = await sut.StartHostAsync();
        var example = Path.Combine(HostProcess.RepositoryRoot, "docs", "examples", "plain-json");
        Assert.Equal(0, (await ChildProcess.RunAsync("bash", example, new Dictionary<string, string>(), TimeSpan.FromMinutes(3), Path.Combine(example, "install.sh"))).ExitCode);
        var environment = broker == Broker.RabbitMq
            ? new Dictionary<string, string>
            {
                ["TRANSPORT"] = "rabbitmq",
                ["AMQP_URL"] = $"amqp://{TestServers.RabbitMqUser}:{TestServers.RabbitMqPassword}@{TestServers.RabbitMqHost}:{TestServers.RabbitMqPort}/{Uri.EscapeDataString(sut.VirtualHost.Name)}",
            }
            : new Dictionary<string, string>
            {
                ["TRANSPORT"] = "sqs", ["AWS_REGION"] = TestServers.SqsRegion, ["SQS_ENDPOINT"] = TestServers.SqsUrl, ["SQS_QUEUE_PREFIX"] = sut.QueuePrefix!,
                ["AWS_ACCESS_KEY_ID"] = TestServers.SqsAccessKey, ["AWS_SECRET_ACCESS_KEY"] = TestServers.SqsSecretKey,
            };

        var directory = Directory.CreateTempSubdirectory("persisters-plain-json-").FullName;
        foreach (var (name, perMessage, first) in new[] { ("single", "1", 0), ("envelopes", "100", 150) })
        {
            var file = Path.Combine(directory, $"{name}.json");
            await File.WriteAllTextAsync(file, Events(experiment, first, 150, now).ToJsonString());
            var (exit, output) = await ChildProcess.RunAsync("node", example, new Dictionary<string, string>(environment) { ["PER_MESSAGE"] = perMessage }, TimeSpan.FromMinutes(3), "publish.mjs", file);
            Assert.True(exit == 0, output);
        }

        Assert.Equal(300, await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'", 300, TimeSpan.FromMinutes(2)));
        Assert.Equal(0, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}' AND (variation_id NOT IN ('A', 'B') OR reason <> 'RULE' OR user_data IS NULL)"));
        Assert.Equal(20, await sut.WaitForCountAsync($"SELECT COUNT(*) FROM goal_event WHERE experiment_id = '{experiment.ExperimentId:D}'", 20, TimeSpan.FromMinutes(2)));
    }

    /// <summary>Evaluation events first..first+count and one goal event per 15 users, in the body form of POST /v1/events.</summary>
    private static JsonObject Events(Contracts.ExperimentDefinition experiment, int first, int count, long now) => new()
    {
        ["evaluationEvents"] = new JsonArray([.. Enumerable.Range(first, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"plain-{i}", ["environmentId"] = experiment.EnvironmentId, ["timestamp"] = now - 60, ["featureId"] = experiment.FeatureId,
            ["featureVersion"] = experiment.FeatureVersion, ["userId"] = $"user-{i}", ["variationId"] = i % 2 == 0 ? "A" : "B", ["reason"] = "Rule",
            ["user"] = new JsonObject { ["id"] = $"user-{i}", ["data"] = new JsonObject { ["plan"] = "pro" } }, ["sourceId"] = 7,
        })]),
        ["goalEvents"] = new JsonArray([.. Enumerable.Range(first, count).Where(i => i % 15 == 0).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"plain-goal-{i}", ["environmentId"] = experiment.EnvironmentId, ["timestamp"] = now, ["goalId"] = experiment.GoalIds[0],
            ["userId"] = $"user-{i}", ["value"] = 1.5,
        })]),
    };
}
