using System.Text.RegularExpressions;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Field report: <c>load --events 1000 --per-message 1000 --publish-only</c> on SQS: the transport refused the 506 KB envelope at
/// once with a clear message, but the verb ended in an unhandled exception, ~130 lines of trace and a critical "BackgroundService
/// failed" log. Right: one line naming the limit and the fix, a non-zero exit, a clean stop; and the fix it names works. On every
/// broker that refuses a message over its size limit (SQS 256 KiB; Service Bus 256 KiB on the Standard tier, as the test emulator).
/// </summary>
public sealed class When_the_broker_refuses_a_send
{
    [Theory]
    [InlineData(Broker.AmazonSqs, "Amazon SQS refused a message of")]
    [InlineData(Broker.AzureServiceBus, "Azure Service Bus refused a message of about")]
    public async Task Load_names_the_limit_and_the_per_message_that_fits_in_one_line_and_that_value_works(Broker broker, string refused)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);

        var (exit, output) = await sut.RunVerbAsync("load", "--events", "1000", "--per-message", "1000", "--publish-only");

        Assert.True(exit == 4, $"exit code {exit}:\n{output}");
        var refusal = Assert.Single(output.Split('\n'), l => l.Contains(refused));
        Assert.Contains("its limit is 262,144 bytes", refusal);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("crit:", output);
        Assert.DoesNotContain("fail:", output);
        Assert.DoesNotContain("BackgroundService", output);
        var fits = Regex.Match(refusal, @"use --per-message (\d+) or less");
        Assert.True(fits.Success, refusal);

        await using var host = await sut.StartHostAsync();
        var (again, againOutput) = await sut.RunVerbAsync("load", "--events", "1000", "--per-message", fits.Groups[1].Value, "--publish-only", "--timeout", "50");
        Assert.True(again == 0, $"load with --per-message {fits.Groups[1].Value} failed ({again}):\n{againOutput}");
    }
}
