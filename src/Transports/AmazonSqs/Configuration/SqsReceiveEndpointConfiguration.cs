using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsReceiveEndpointConfiguration : ReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private readonly SqsEndpointConfiguration _endpointConfiguration;
    private int _waitTimeSeconds = 20;
    private int _visibilityTimeout = 30;

    public SqsReceiveEndpointConfiguration(SqsHostConfiguration hostConfiguration, string queueName, SqsEndpointConfiguration endpointConfiguration)
        : base(hostConfiguration, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
        _endpointConfiguration = endpointConfiguration;
        QueueName = queueName;
    }

    public string QueueName { get; }
    public bool IsTemporary { get; set; }
    public SqsTopologyConfiguration SqsTopology => _endpointConfiguration.SqsTopology;
    public int ReceiveWaitTimeSeconds => _waitTimeSeconds;
    public int ReceiveVisibilityTimeout => _visibilityTimeout;

    public override Uri HostAddress => _hostConfiguration.HostAddress;
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

    public void Subscribe<T>() where T : class => SqsTopology.SqsConsume.GetSqsMessageTopology<T>().Subscribe();

    public void Subscribe(string messageUrn)
    {
        if (!messageUrn.StartsWith("urn:message:", StringComparison.Ordinal))
            throw new ArgumentException($"'{messageUrn}' is not a message URN (urn:message:Namespace:Type).", nameof(messageUrn));
        SqsTopology.SqsConsume.AddSubscription(messageUrn);
    }

    public override ReceiveEndpointContext CreateReceiveEndpointContext() => CreateSqsReceiveEndpointContext();

    public void Build(IHost host)
    {
        var context = CreateSqsReceiveEndpointContext();
        var transport = new SqsReceiveTransport(context);
        var receiveEndpoint = new ReceiveEndpoint(transport, context);
        host.AddReceiveEndpoint(QueueName, receiveEndpoint);
        ReceiveEndpoint = receiveEndpoint;
    }

    private SqsReceiveEndpointContext CreateSqsReceiveEndpointContext()
    {
        var builder = new SqsReceiveEndpointBuilder(this);
        ApplySpecifications(builder);
        var context = new SqsReceiveEndpointContext(_hostConfiguration, this);
        context.GetOrAddPayload(() => _hostConfiguration.Topology);
        return context;
    }
}
