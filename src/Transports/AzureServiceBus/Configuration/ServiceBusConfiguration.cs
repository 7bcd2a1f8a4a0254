using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.AzureServiceBus.Transport;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal class ServiceBusEndpointConfiguration : EndpointConfiguration
{
    protected ServiceBusEndpointConfiguration(ServiceBusTopologyConfiguration topology)
        : base(topology)
    {
        ServiceBusTopology = topology;
    }

    ServiceBusEndpointConfiguration(IEndpointConfiguration parent, ServiceBusTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        ServiceBusTopology = topology;
    }

    public ServiceBusTopologyConfiguration ServiceBusTopology { get; }

    public ServiceBusEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new ServiceBusTopologyConfiguration(ServiceBusTopology), isBusEndpoint);
}

internal sealed class ServiceBusBusConfiguration : ServiceBusEndpointConfiguration, IBusConfiguration
{
    readonly BusObservable _busObservers = new();

    public ServiceBusBusConfiguration(ServiceBusTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new ServiceBusHostConfiguration(this, topology);
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    public ServiceBusHostConfiguration HostConfiguration { get; }
    public ServiceBusEndpointConfiguration BusEndpointConfiguration { get; }

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;
    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}

/// <summary>Collects the host settings given through <see cref="IServiceBusHostConfigurator"/>.</summary>
internal sealed class ServiceBusHostConfigurator : IServiceBusHostConfigurator
{
    public ServiceBusHostConfigurator(Uri serviceUri)
    {
        Settings = new ServiceBusHostSettings { ServiceUri = serviceUri };
    }

    /// <summary>From a connection string: the namespace address is its Endpoint (sb://host[:port]/).</summary>
    public ServiceBusHostConfigurator(string connectionString)
    {
        ServiceBusConnectionStringProperties properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(connectionString);
        }
        catch (FormatException exception)
        {
            throw new ConfigurationException($"Azure Service Bus: the connection string is not valid: {exception.Message}");
        }
        var endpoint = properties.Endpoint ?? throw new ConfigurationException("Azure Service Bus: the connection string has no Endpoint=sb://NAMESPACE/.");
        var port = endpoint.IsDefaultPort || endpoint.Port <= 0 ? "" : ":" + endpoint.Port;
        Settings = new ServiceBusHostSettings { ServiceUri = new Uri($"{ServiceBusHostSettings.Scheme}://{endpoint.Host}{port}/") };
        var hasCredentials = !string.IsNullOrEmpty(properties.SharedAccessKeyName) || !string.IsNullOrEmpty(properties.SharedAccessSignature);
        if (hasCredentials)
            Settings.ConnectionString = connectionString;
    }

    public ServiceBusHostSettings Settings { get; }

    public string ConnectionString
    {
        set
        {
            ThrowIfCredentialSet(nameof(ConnectionString));
            Settings.ConnectionString = value;
        }
    }

    public Azure.AzureNamedKeyCredential NamedKeyCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(NamedKeyCredential));
            Settings.NamedKeyCredential = value;
        }
    }

    public Azure.AzureSasCredential SasCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(SasCredential));
            Settings.SasCredential = value;
        }
    }

    public Azure.Core.TokenCredential TokenCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(TokenCredential));
            Settings.TokenCredential = value;
        }
    }

    public ServiceBusTransportType TransportType { set => Settings.TransportType = value; }
    public TimeSpan RetryMinBackoff { set => Settings.RetryMinBackoff = value; }
    public TimeSpan RetryMaxBackoff { set => Settings.RetryMaxBackoff = value; }
    public int RetryLimit { set => Settings.RetryLimit = value; }
    public bool CreateEntities { set => Settings.CreateEntities = value; }

    void ThrowIfCredentialSet(string name)
    {
        if (Settings.ConnectionString is not null || Settings.NamedKeyCredential is not null || Settings.SasCredential is not null
            || Settings.TokenCredential is not null)
            throw new ArgumentException($"Azure Service Bus: {name} cannot be combined with another kind of credential, which is already set.");
    }
}

internal sealed class ServiceBusHostConfiguration : BaseHostConfiguration<ServiceBusReceiveEndpointConfiguration, IServiceBusReceiveEndpointConfigurator>
{
    static readonly Uri Unconfigured = new($"{ServiceBusHostSettings.Scheme}://unconfigured/");

    readonly ServiceBusBusConfiguration _busConfiguration;
    readonly ServiceBusBusTopology _topology;
    readonly object _lock = new();
    readonly Dictionary<string, ServiceBusReceiveEndpointConfiguration> _endpointsByName = new(StringComparer.OrdinalIgnoreCase);
    ServiceBusHostSettings? _settings;
    ServiceBusBroker? _broker;

    public ServiceBusHostConfiguration(ServiceBusBusConfiguration busConfiguration, ServiceBusTopologyConfiguration topology)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _topology = new ServiceBusBusTopology(this, topology);
        ReceiveTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            x.Handle<ServiceBusException>(e => e.IsTransient);
            x.Exponential(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
        });
    }

    public override Uri HostAddress => _settings?.HostAddress ?? Unconfigured;
    public override IBusTopology Topology => _topology;
    public override IRetryPolicy ReceiveTransportRetryPolicy { get; }
    public ServiceBusTopologyConfiguration BusTopology => _busConfiguration.ServiceBusTopology;

    public ServiceBusHostSettings Settings
    {
        get => _settings ?? throw new ConfigurationException("Azure Service Bus: the host is not configured; call cfg.Host(connectionString) or cfg.Host(new Uri(\"sb://NAMESPACE\"), h => …).");
        set
        {
            value.Validate();
            _settings = value;
        }
    }

    public string Scope => Settings.Scope;

    public ServiceBusBroker Broker
    {
        get
        {
            lock (_lock)
                return _broker ??= new ServiceBusBroker(Settings);
        }
    }

    public override IEnumerable<ValidationResult> Validate()
    {
        foreach (var result in base.Validate())
            yield return result;
        if (_settings is null)
            yield return this.Failure("Host", "must be configured with cfg.Host(connectionString) or cfg.Host(new Uri(\"sb://NAMESPACE\"), h => …)");
    }

    /// <summary>
    /// The entities of every receive endpoint configured on this host so far, the latest configuration per queue name
    /// (endpoints connected later are included once connected). Complete once the endpoints are built.
    /// </summary>
    public IReadOnlyList<EndpointEntities> GetEndpointEntities()
    {
        lock (_endpointsByName)
            return _endpointsByName.Values.Select(e => e.GetEntities()).ToList();
    }

    public ServiceBusReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, ServiceBusEndpointConfiguration endpointConfiguration,
        Action<IServiceBusReceiveEndpointConfigurator>? configure, bool temporary = false)
    {
        if (string.IsNullOrWhiteSpace(queueName))
            throw new ArgumentException("The queue name is required.", nameof(queueName));
        var configuration = new ServiceBusReceiveEndpointConfiguration(this, queueName, endpointConfiguration) { IsTemporary = temporary };
        configure?.Invoke(configuration);
        Observers.EndpointConfigured(configuration);
        Add(configuration);
        lock (_endpointsByName)
            _endpointsByName[queueName] = configuration;
        return configuration;
    }

    public ServiceBusReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IServiceBusReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, _busConfiguration.CreateEndpointConfiguration(), configure);

    public override IReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, configure is null ? null : c => configure(c));

    public void ApplyEndpointDefinition(IServiceBusReceiveEndpointConfigurator configurator, IEndpointDefinition definition)
    {
        if (definition.IsTemporary && configurator is ServiceBusReceiveEndpointConfiguration configuration)
            configuration.IsTemporary = true;
        base.ApplyEndpointDefinition(configurator, definition);
    }

    public override void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IServiceBusReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        ReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override void ReceiveEndpoint(string queueName, Action<IServiceBusReceiveEndpointConfigurator> configureEndpoint) =>
        CreateReceiveEndpointConfiguration(queueName, configureEndpoint);

    public override IHost Build()
    {
        var host = new ServiceBusHost(this, _topology);
        foreach (var endpoint in GetConfiguredEndpoints())
            endpoint.Build(host);
        return host;
    }
}

internal sealed class ServiceBusReceiveEndpointConfiguration : ReceiveEndpointConfiguration, IServiceBusReceiveEndpointConfigurator
{
    readonly ServiceBusHostConfiguration _hostConfiguration;
    readonly ServiceBusEndpointConfiguration _endpointConfiguration;
    TimeSpan _lockDuration = ServiceBusDefaults.LockDuration;
    int _maxDeliveryCount = ServiceBusDefaults.MaxDeliveryCount;
    TimeSpan? _defaultMessageTimeToLive;
    TimeSpan? _autoDeleteOnIdle;
    bool _deadLetteringOnMessageExpiration = true;
    string? _forwardDeadLetteredMessagesTo;

    public ServiceBusReceiveEndpointConfiguration(ServiceBusHostConfiguration hostConfiguration, string queueName,
        ServiceBusEndpointConfiguration endpointConfiguration)
        : base(hostConfiguration, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
        _endpointConfiguration = endpointConfiguration;
        QueueName = queueName;
    }

    /// <summary>The endpoint's name (the queue path below the host's scope).</summary>
    public string QueueName { get; }

    /// <summary>The queue's full path: <c>SCOPE/NAME</c>.</summary>
    public string QueuePath => ServiceBusNames.QueuePath(_hostConfiguration.Scope, QueueName);

    public bool IsTemporary { get; set; }
    public ServiceBusTopologyConfiguration ServiceBusTopology => _endpointConfiguration.ServiceBusTopology;
    public TimeSpan? RenewLimit { get; private set; }
    public TimeSpan WaitTime { get; private set; } = ServiceBusDefaults.ReceiveWaitTime;

    /// <summary>The queue's <c>DefaultMessageTimeToLive</c> as configured here; null: Service Bus's (unlimited).</summary>
    public TimeSpan? QueueTimeToLive => _defaultMessageTimeToLive;

    public override Uri HostAddress => _hostConfiguration.HostAddress;
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
        ServiceBusTopology.ServiceBusConsume.GetServiceBusMessageTopology<T>().Subscribe(subscriptionName);

    public void Subscribe(string topicPath, string subscriptionName) => ServiceBusTopology.ServiceBusConsume.Subscribe(topicPath, subscriptionName);

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
            var send = ServiceBusTopology.Send;
            error = ServiceBusDefaults.MoveQueue(queue, send.ErrorQueueNameFormatter.FormatErrorQueueName(queuePath));
            skipped = ServiceBusDefaults.MoveQueue(queue, send.DeadLetterQueueNameFormatter.FormatDeadLetterQueueName(queuePath));
        }

        var generatedName = ServiceBusNames.SubscriptionNameFor(queuePath, _hostConfiguration.Scope);
        var subscriptions = ServiceBusTopology.ServiceBusConsume.Subscriptions;
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

    public override ReceiveEndpointContext CreateReceiveEndpointContext() => CreateServiceBusReceiveEndpointContext();

    public void Build(IHost host)
    {
        var context = CreateServiceBusReceiveEndpointContext();
        var transport = new ServiceBusReceiveTransport(context);
        var receiveEndpoint = new ReceiveEndpoint(transport, context);
        host.AddReceiveEndpoint(QueueName, receiveEndpoint);
        ReceiveEndpoint = receiveEndpoint;
    }

    ServiceBusReceiveEndpointContext CreateServiceBusReceiveEndpointContext()
    {
        var builder = new ServiceBusReceiveEndpointBuilder(this);
        ApplySpecifications(builder);
        var context = new ServiceBusReceiveEndpointContext(_hostConfiguration, this);
        context.GetOrAddPayload(() => _hostConfiguration.Topology);
        return context;
    }
}

internal sealed class ServiceBusReceiveEndpointBuilder : ReceiveEndpointBuilder
{
    readonly ServiceBusReceiveEndpointConfiguration _configuration;

    public ServiceBusReceiveEndpointBuilder(ServiceBusReceiveEndpointConfiguration configuration)
        : base(configuration)
    {
        _configuration = configuration;
    }

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
        {
            var topology = _configuration.ServiceBusTopology.ServiceBusConsume.GetServiceBusMessageTopology<T>();
            if (topology.ConfigureConsumeTopology)
                topology.Subscribe();
        }
        return base.ConnectConsumePipe(pipe, options);
    }
}

internal sealed class ServiceBusBusFactoryConfigurator : BusFactoryConfigurator, IServiceBusBusFactoryConfigurator, IBusFactory
{
    readonly ServiceBusBusConfiguration _busConfiguration;
    readonly ServiceBusHostConfiguration _hostConfiguration;

    public ServiceBusBusFactoryConfigurator(ServiceBusBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        var queueName = _busConfiguration.ServiceBusTopology.Consume.CreateTemporaryQueueName("bus");
        return _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, _busConfiguration.BusEndpointConfiguration, c => configure(c),
            temporary: true);
    }

    public void Host(ServiceBusHostSettings settings) => _hostConfiguration.Settings = settings;

    public void SetNamespaceSeparatorTo(string separator)
    {
        if (separator is not ("/" or "_" or "."))
            throw new ArgumentException($"'{separator}' cannot separate namespace and type name in a Service Bus entity name: use '/', '_' or '.' " +
                "(a segment of a Service Bus entity name may contain only letters, digits, '.', '-' and '_').", nameof(separator));
        MessageTopology.SetEntityNameFormatter(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter(separator)));
    }

    public void SetNamespaceSeparatorToUnderscore() => SetNamespaceSeparatorTo("_");

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IServiceBusReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IServiceBusReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}

internal sealed class ServiceBusRegistrationBusFactory : TransportRegistrationBusFactory<IServiceBusReceiveEndpointConfigurator>
{
    readonly ServiceBusBusConfiguration _busConfiguration;
    readonly Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? _configure;

    public ServiceBusRegistrationBusFactory(Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure)
        : this(new ServiceBusBusConfiguration(new ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration.CreateMessageTopology())), configure)
    {
    }

    ServiceBusRegistrationBusFactory(ServiceBusBusConfiguration busConfiguration,
        Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var configurator = new ServiceBusBusFactoryConfigurator(_busConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }
}
