using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

/// <summary>The bus configuration of the Amazon SQS transport: its topology and its <see cref="SqsHostConfiguration"/>.</summary>
internal sealed class SqsBusConfiguration : TransportBusConfiguration<SqsTopologyConfiguration>
{
    public SqsBusConfiguration(SqsTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new SqsHostConfiguration(this);
    }

    public override SqsHostConfiguration HostConfiguration { get; }

    /// <summary>A bus configuration with a new message topology (queue names from message URNs).</summary>
    public static SqsBusConfiguration Create() => new(new SqsTopologyConfiguration(SqsTopologyConfiguration.CreateMessageTopology()));
}
