namespace Persisters.Consumers;

/// <summary>
/// Which persister endpoints this process consumes now. The on-demand controller (<c>Demand.PersisterDemandController</c>)
/// answers from the endpoints it has connected; without it (<c>Persisters:OnDemand</c> off) every endpoint is always connected.
/// </summary>
public interface IPersisterDemand
{
    /// <summary>Whether the endpoint of the persister on queue <paramref name="queueName"/> (a <see cref="PersisterQueues"/> name) consumes now.</summary>
    bool IsConnected(string queueName);
}

/// <summary>Every persister endpoint connected for the life of the bus (<c>Persisters:OnDemand</c> off).</summary>
public sealed class AlwaysConnectedPersisters : IPersisterDemand
{
    public bool IsConnected(string queueName) => true;
}
