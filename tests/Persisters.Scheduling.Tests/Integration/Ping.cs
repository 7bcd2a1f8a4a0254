namespace Persisters.Scheduling.TestHost;

/// <summary>The TestHost's message contract (same namespace and name, so the same message type URN).</summary>
public record Ping(Guid Id, int Sequence);
