using Azure.Messaging.ServiceBus.Administration;
using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.AzureServiceBus.Transport;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AzureServiceBus.Configuration;

/// <summary>A receive endpoint of the Azure Service Bus transport: one queue, its settings, and the subscriptions that forward to it.</summary>
internal sealed class ServiceBusReceiveEndpointConfiguration
    : TransportReceiveEndpointConfiguration<ServiceBusTopologyConfiguration, ServiceBusReceiveEndpointContext>, IServiceBusReceiveEndpointConfigurator
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;
    private TimeSpan _lockDuration = ServiceBusDefaults.LockDuration;
    private int _maxDeliveryCount = ServiceBusDefaults.MaxDeliveryCount;
    private TimeSpan? _defaultMessageTimeToLive;
    private TimeSpan? _autoDeleteOnIdle;
    private bool _deadLetteringOnMessageExpiration = true;
    private string? _forwardDeadLetteredMessagesTo;

    public ServiceBusReceiveEndpointConfiguration(ServiceBusHostConfiguration hostConfiguration, string queueName,
        TransportEndpointConfiguration<ServiceBusTopologyConfiguration> endpointConfiguration)
        : base(hostConfiguration, queueName, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
    }

    /// <summary>The queue's full path: <c>SCOPE/NAME</c>.</summary>
    public string QueuePath => ServiceBusNames.QueuePath(_hostConfiguration.Scope, QueueName);

    public TimeSpan? RenewLimit { get; private set; }
    public TimeSpan WaitTime { get; private set; } = ServiceBusDefaults.ReceiveWaitTime;

    /// <summary>The queue's <c>DefaultMessageTimeToLive</c> as configured here; null: Service Bus's (unlimited).</summary>
    public TimeSpan? QueueTimeToLive => _defaultMessageTimeToLive;

    /// <summary><c>sb://NAMESPACE/SCOPE/NAME</c>; a temporary endpoint's address says <c>?autodelete=300</c>, so that a send that has to create it makes it temporary.</summary>
    public override Uri InputAddress
    {
        get
        {
            var address = new ServiceBusAddress(ServiceBusEntityType.Queue, QueuePath).ToUri(_hostConfiguration.HostAddress);
            return IsTemporary ? new Uri(address + "?autodelete=" + (int)(_autoDeleteOnIdle ?? ServiceBusDefaults.TemporaryAutoDeleteOnIdle).TotalSeconds) : address;
        }
    }

    public TimeSpan LockDuration
    {
        set => _lockDuration = value >= TimeSpan.FromSeconds(5) && value <= TimeSpan.FromMinutes(5)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LockDuration), value, "Service Bus lock durations are 5 seconds to 5 minutes.");
    }

    public int MaxDeliveryCount
    {
        set => _maxDeliveryCount = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), value, "At least 1.");
    }

    public TimeSpan MaxAutoRenewDuration
    {
        set => RenewLimit = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxAutoRenewDuration), value, "Must be positive.");
    }

    public TimeSpan DefaultMessageTimeToLive
    {
        set => _defaultMessageTimeToLive = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(DefaultMessageTimeToLive), value, "Must be positive.");
    }

    public TimeSpan AutoDeleteOnIdle
    {
        set => _autoDeleteOnIdle = value >= TimeSpan.FromMinutes(5)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AutoDeleteOnIdle), value, "Service Bus deletes idle entities after at least 5 minutes.");
    }

    public bool EnableDeadLetteringOnMessageExpiration { set => _deadLetteringOnMessageExpiration = value; }

    public string ForwardDeadLetteredMessagesTo { set => _forwardDeadLetteredMessagesTo = value; }

    public TimeSpan ReceiveWaitTime
    {
        set => WaitTime = value >= TimeSpan.FromSeconds(1) ? value : throw new ArgumentOutOfRangeException(nameof(ReceiveWaitTime), value, "At least 1 second.");
    }

    public void Subscribe<T>(string subscriptionName) where T : class =>
        TransportTopology.Consume.Subscribe<T>(subscriptionName);

    public void Subscribe(string topicPath, string subscriptionName) => TransportTopology.Consume.Subscribe(topicPath, subscriptionName);

    /// <summary>The entities this endpoint needs (see <see cref="EndpointEntities"/>).</summary>
    public EndpointEntities GetEntities()
    {
        var queuePath = QueuePath;
        var queue = new CreateQueueOptions(queuePath)
        {
            LockDuration = _lockDuration,
            MaxDeliveryCount = _maxDeliveryCount,
            DeadLetteringOnMessageExpiration = _deadLetteringOnMessageExpiration,
            EnableBatchedOperations = true,
        };
        if (_defaultMessageTimeToLive is { } ttl)
            queue.DefaultMessageTimeToLive = ttl;
        if (_autoDeleteOnIdle is { } idle)
            queue.AutoDeleteOnIdle = idle;
        else if (IsTemporary)
            queue.AutoDeleteOnIdle = ServiceBusDefaults.TemporaryAutoDeleteOnIdle;
        if (!string.IsNullOrEmpty(_forwardDeadLetteredMessagesTo))
            queue.ForwardDeadLetteredMessagesTo = _forwardDeadLetteredMessagesTo;

        CreateQueueOptions? error = null, skipped = null;
        if (!IsTemporary && !ServiceBusNames.IsTerminal(queuePath))
        {
            var send = TransportTopology.Send;
            error = ServiceBusDefaults.MoveQueue(queue, send.ErrorQueueNameFormatter.FormatErrorQueueName(queuePath));
            skipped = ServiceBusDefaults.MoveQueue(queue, send.DeadLetterQueueNameFormatter.FormatDeadLetterQueueName(queuePath));
        }

        var generatedName = ServiceBusNames.SubscriptionNameFor(queuePath, _hostConfiguration.Scope);
        var subscriptions = TransportTopology.Consume.Subscriptions;
        var topics = subscriptions.Select(s => s.TopicPath).Distinct(StringComparer.Ordinal).Select(ServiceBusDefaults.Topic).ToList();
        var forwarding = subscriptions.Select(s => new CreateSubscriptionOptions(s.TopicPath, s.SubscriptionName ?? generatedName)
        {
            ForwardTo = queuePath,
            LockDuration = _lockDuration,
            MaxDeliveryCount = _maxDeliveryCount,
            DeadLetteringOnMessageExpiration = _deadLetteringOnMessageExpiration,
            EnableBatchedOperations = true,
            AutoDeleteOnIdle = queue.AutoDeleteOnIdle,
        }).ToList();
        return new EndpointEntities(queue, error, skipped, topics, forwarding, IsTemporary);
    }

    public override IEnumerable<ValidationResult> Validate()
    {
        foreach (var result in base.Validate())
            yield return result;
        if (!ServiceBusNames.IsValidEntityPath(QueuePath))
            yield return this.Failure("QueueName", $"'{QueuePath}' is not a valid Service Bus queue path (1–260 letters, digits, '.', '-', '_', segments separated by '/')");
    }

    protected override ServiceBusReceiveEndpointContext CreateContext() => new(_hostConfiguration, this);

    protected override IReceiveTransport CreateReceiveTransport(ServiceBusReceiveEndpointContext context) => new ServiceBusReceiveTransport(context);
}
