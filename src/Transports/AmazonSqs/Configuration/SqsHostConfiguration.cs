using Amazon.Runtime;
using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;
using Persisters.Transports.Shared.Configuration;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AmazonSqs.Configuration;

/// <summary>The host configuration of the Amazon SQS transport: region and credentials, the <see cref="SqsBroker"/>, the receive endpoints.</summary>
internal sealed class SqsHostConfiguration
    : TransportHostConfiguration<SqsReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator, SqsTopologyConfiguration, AmazonSqsHostSettings, SqsBroker>
{
    public SqsHostConfiguration(SqsBusConfiguration busConfiguration)
        : base(busConfiguration, x => x.Handle<AmazonServiceException>(), AmazonSqsHostSettings.Scheme, "Amazon SQS", "cfg.Host(\"region\", h => ...)")
    {
    }

    protected override SqsReceiveEndpointConfiguration CreateConfiguration(string queueName,
        TransportEndpointConfiguration<SqsTopologyConfiguration> endpointConfiguration) =>
        new(this, queueName, endpointConfiguration);

    protected override SqsBroker CreateBroker(AmazonSqsHostSettings settings) => new(settings);

    protected override IHost CreateHost(TransportBusTopology busTopology) => new SqsHost(this, busTopology);
}
