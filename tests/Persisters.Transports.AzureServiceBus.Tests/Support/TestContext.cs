namespace Persisters.Transports.AzureServiceBus.Tests.Support;

public static class TestContext
{
    /// <summary>A token that ends a hung start or stop instead of hanging the test run.</summary>
    public static CancellationToken Current(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
