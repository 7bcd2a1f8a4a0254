using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

/// <summary>A receive endpoint of the Amazon SQS transport: one SQS queue, its long-poll wait and visibility timeout, its subscriptions.</summary>
internal sealed class SqsReceiveEndpointConfiguration
    : TransportReceiveEndpointConfiguration<SqsTopologyConfiguration, SqsReceiveEndpointContext>, IAmazonSqsReceiveEndpointConfigurator
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private int _waitTimeSeconds = 20;
    private int _visibilityTimeout = 30;

    public SqsReceiveEndpointConfiguration(SqsHostConfiguration hostConfiguration, string queueName,
        TransportEndpointConfiguration<SqsTopologyConfiguration> endpointConfiguration)
        : base(hostConfiguration, queueName, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
    }

    public int ReceiveWaitTimeSeconds => _waitTimeSeconds;
    public int ReceiveVisibilityTimeout => _visibilityTimeout;

    public override Uri InputAddress => SqsAddress.ForQueue(_hostConfiguration.HostAddress, QueueName);

    public int WaitTimeSeconds
    {
        set => _waitTimeSeconds = value is >= 0 and <= 20
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WaitTimeSeconds), value, "SQS long polling waits 0 to 20 seconds.");
    }

    public int VisibilityTimeout
    {
        set => _visibilityTimeout = value is >= 1 and <= 43200
            ? value
            : throw new ArgumentOutOfRangeException(nameof(VisibilityTimeout), value, "The SQS visibility timeout is 1 to 43200 seconds.");
    }

    public void Subscribe<T>() where T : class => TransportTopology.Consume.GetTransportMessageTopology<T>().Subscribe();

    public void Subscribe(string messageUrn)
    {
        if (!messageUrn.StartsWith("urn:message:", StringComparison.Ordinal))
            throw new ArgumentException($"'{messageUrn}' is not a message URN (urn:message:Namespace:Type).", nameof(messageUrn));
        TransportTopology.Consume.AddSubscription(messageUrn);
    }

    protected override SqsReceiveEndpointContext CreateContext() => new(_hostConfiguration, this);

    protected override IReceiveTransport CreateReceiveTransport(SqsReceiveEndpointContext context) => new SqsReceiveTransport(context);
}
