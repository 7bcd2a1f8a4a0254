namespace Persisters.Tests.Support;

/// <summary>A clock the test moves by hand (for retry periods and experiment windows).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public long UnixNow => _now.ToUnixTimeSeconds();
}
