namespace Persisters.Tests.Shared;

/// <summary>Deadlines for the transport tests' bus start and stop (linked into the Amazon SQS and Azure Service Bus test projects).</summary>
public static class TestContext
{
    /// <summary>A token that ends a hung start or stop instead of hanging the test run: cancelled <paramref name="seconds" /> seconds from now.</summary>
    public static CancellationToken Current(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
