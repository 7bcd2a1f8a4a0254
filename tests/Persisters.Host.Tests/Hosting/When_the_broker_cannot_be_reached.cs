using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

/// <summary>
/// A verb whose bus cannot reach its broker ends with one line and exit code 4 after at most its <c>--timeout</c>, never a stack
/// trace (RabbitMQ gives up with "Connection refused"; the SQS and Service Bus transports retry for ever, so the verb stops waiting).
/// The broker here is a port nobody listens on. The refused send (a message over SQS's size limit) is in the integration tests.
/// (<c>experiments …</c> and <c>autoops …</c> use no broker: they talk to the service over HTTP, see When_operators_drive_the_service_over_HTTP.)
/// </summary>
public sealed class When_the_broker_cannot_be_reached
{
    private static Dictionary<string, string?> RabbitMq(int port) => new()
    {
        ["Transport__Kind"] = "RabbitMq", ["Transport__RabbitMq__Host"] = "127.0.0.1", ["Transport__RabbitMq__Port"] = port.ToString(),
        ["Transport__RabbitMq__Username"] = "guest", ["Transport__RabbitMq__Password"] = "guest",
    };

    private static Dictionary<string, string?> AmazonSqs(int port) => new()
    {
        ["Transport__Kind"] = "AmazonSqs", ["Transport__AmazonSqs__Region"] = "us-east-1", ["Transport__AmazonSqs__ServiceUrl"] = $"http://127.0.0.1:{port}",
        ["Transport__AmazonSqs__AccessKey"] = "test", ["Transport__AmazonSqs__SecretKey"] = "test",
    };

    /// <summary>An emulator-style connection string (plain AMQP and HTTP to the given port, as Microsoft's emulator takes).</summary>
    private static Dictionary<string, string?> AzureServiceBus(int port) => new()
    {
        ["Transport__Kind"] = "AzureServiceBus",
        ["Transport__AzureServiceBus__ConnectionString"] = $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true",
    };

    public static TheoryData<string, string[]> Verbs => new()
    {
        { "RabbitMq", ["load", "--events", "100", "--publish-only", "--timeout", "3"] },
        { "AmazonSqs", ["load", "--events", "100", "--publish-only", "--timeout", "3"] },
        { "AzureServiceBus", ["load", "--events", "100", "--publish-only", "--timeout", "3"] },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task The_verb_ends_with_one_line_and_exit_code_4(string broker, string[] verb)
    {
        var port = CapturedProcess.FreePort();

        var environment = broker switch
        {
            "RabbitMq" => RabbitMq(port),
            "AmazonSqs" => AmazonSqs(port),
            _ => AzureServiceBus(port),
        };

        var (exit, output) = await HostCommand.RunAsync(environment, verb);

        Assert.True(exit == 4, $"exit code {exit}:\n{output}");
        var refusal = Assert.Single(output.Split('\n'), l => l.Contains($"The broker ({broker})"));
        Assert.Contains("could not be reached", refusal);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("fail:", output);
        Assert.DoesNotContain("crit:", output);
    }
}
