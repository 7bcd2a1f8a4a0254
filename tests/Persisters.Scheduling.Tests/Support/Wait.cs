namespace Persisters.Scheduling.Tests;

public static class Wait
{
    /// <summary>Polls until <paramref name="condition" /> holds; false when the time runs out.</summary>
    public static async Task<bool> Until(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }

        return condition();
    }

    public static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }

        return await condition();
    }
}
