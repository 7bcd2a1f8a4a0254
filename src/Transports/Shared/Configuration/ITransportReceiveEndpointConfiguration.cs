using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>What the host configuration needs of a receive endpoint configuration (see <see cref="TransportReceiveEndpointConfiguration{TTopology, TContext}"/>).</summary>
internal interface ITransportReceiveEndpointConfiguration : IReceiveEndpointConfiguration
{
    /// <summary>A temporary endpoint: its queue goes away with it.</summary>
    bool IsTemporary { get; set; }

    /// <summary>Builds the endpoint and adds it to <paramref name="host"/>.</summary>
    void Build(IHost host);
}
