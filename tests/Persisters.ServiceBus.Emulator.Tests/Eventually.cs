namespace Persisters.ServiceBus.Emulator.Tests;

/// <summary>Waits for what the emulator does after a client call returns (a detach, a disposition), instead of sampling it once.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 50 ms for up to 10 s; fails the test if it is still false.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(await condition(), "the condition did not become true within 10 s");
    }
}
