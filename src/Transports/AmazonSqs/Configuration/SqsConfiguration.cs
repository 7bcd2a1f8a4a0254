using Amazon.Runtime;
using Amazon.SQS;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal class SqsEndpointConfiguration : EndpointConfiguration
{
    protected SqsEndpointConfiguration(SqsTopologyConfiguration topology)
        : base(topology)
    {
        SqsTopology = topology;
    }

    SqsEndpointConfiguration(IEndpointConfiguration parent, SqsTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        SqsTopology = topology;
    }

    public SqsTopologyConfiguration SqsTopology { get; }

    public SqsEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new SqsTopologyConfiguration(SqsTopology), isBusEndpoint);
}

internal sealed class SqsBusConfiguration : SqsEndpointConfiguration, IBusConfiguration
{
    readonly BusObservable _busObservers = new();

    public SqsBusConfiguration(SqsTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new SqsHostConfiguration(this, topology);
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    public SqsHostConfiguration HostConfiguration { get; }
    public SqsEndpointConfiguration BusEndpointConfiguration { get; }

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;
    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}

/// <summary>Collects the host settings given through <see cref="IAmazonSqsHostConfigurator"/>.</summary>
internal sealed class SqsHostConfigurator : IAmazonSqsHostConfigurator
{
    public SqsHostConfigurator(string region)
    {
        Settings = new AmazonSqsHostSettings(region);
    }

    public AmazonSqsHostSettings Settings { get; }

    public void AccessKey(string accessKey) => Settings.AccessKey = accessKey;
    public void SecretKey(string secretKey) => Settings.SecretKey = secretKey;
    public void Credentials(AWSCredentials credentials) => Settings.Credentials = credentials;
    public void Config(AmazonSQSConfig config) => Settings.Config = config;
    public void QueueNamePrefix(string prefix) => Settings.QueueNamePrefix = prefix ?? "";
    public void SubscriptionCacheDuration(TimeSpan duration) => Settings.SubscriptionCacheDuration = duration;
    public void MaxReceiveCount(int maxReceiveCount) => Settings.MaxReceiveCount = maxReceiveCount;
}

internal sealed class SqsHostConfiguration : BaseHostConfiguration<SqsReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator>
{
    static readonly Uri Unconfigured = new($"{AmazonSqsHostSettings.Scheme}://unconfigured/");

    readonly SqsBusConfiguration _busConfiguration;
    readonly SqsBusTopology _topology;
    readonly object _lock = new();
    AmazonSqsHostSettings? _settings;
    SqsBroker? _broker;

    public SqsHostConfiguration(SqsBusConfiguration busConfiguration, SqsTopologyConfiguration topology)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _topology = new SqsBusTopology(this, topology);
        ReceiveTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            x.Handle<AmazonServiceException>();
            x.Exponential(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
        });
    }

    public override Uri HostAddress => _settings?.HostAddress ?? Unconfigured;
    public override IBusTopology Topology => _topology;
    public override IRetryPolicy ReceiveTransportRetryPolicy { get; }

    public AmazonSqsHostSettings Settings
    {
        get => _settings ?? throw new ConfigurationException("Amazon SQS: the host is not configured; call cfg.Host(\"region\", h => ...).");
        set
        {
            value.Validate();
            _settings = value;
        }
    }

    public SqsBroker Broker
    {
        get
        {
            lock (_lock)
                return _broker ??= new SqsBroker(Settings);
        }
    }

    public override IEnumerable<ValidationResult> Validate()
    {
        foreach (var result in base.Validate())
            yield return result;
        if (_settings is null)
            yield return this.Failure("Host", "must be configured with cfg.Host(\"region\", h => ...)");
    }

    public SqsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, SqsEndpointConfiguration endpointConfiguration,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configure, bool temporary = false)
    {
        if (string.IsNullOrWhiteSpace(queueName))
            throw new ArgumentException("The queue name is required.", nameof(queueName));
        var configuration = new SqsReceiveEndpointConfiguration(this, queueName, endpointConfiguration) { IsTemporary = temporary };
        configure?.Invoke(configuration);
        Observers.EndpointConfigured(configuration);
        Add(configuration);
        return configuration;
    }

    public SqsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, _busConfiguration.CreateEndpointConfiguration(), configure);

    public override IReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, configure is null ? null : c => configure(c));

    public void ApplyEndpointDefinition(IAmazonSqsReceiveEndpointConfigurator configurator, IEndpointDefinition definition)
    {
        if (definition.IsTemporary && configurator is SqsReceiveEndpointConfiguration configuration)
            configuration.IsTemporary = true;
        base.ApplyEndpointDefinition(configurator, definition);
    }

    public override void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        ReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override void ReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator> configureEndpoint) =>
        CreateReceiveEndpointConfiguration(queueName, configureEndpoint);

    public override IHost Build()
    {
        var host = new SqsHost(this, _topology);
        foreach (var endpoint in GetConfiguredEndpoints())
            endpoint.Build(host);
        return host;
    }
}

internal sealed class SqsReceiveEndpointConfiguration : ReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator
{
    readonly SqsHostConfiguration _hostConfiguration;
    readonly SqsEndpointConfiguration _endpointConfiguration;
    int _waitTimeSeconds = 20;
    int _visibilityTimeout = 30;

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

    SqsReceiveEndpointContext CreateSqsReceiveEndpointContext()
    {
        var builder = new SqsReceiveEndpointBuilder(this);
        ApplySpecifications(builder);
        var context = new SqsReceiveEndpointContext(_hostConfiguration, this);
        context.GetOrAddPayload(() => _hostConfiguration.Topology);
        return context;
    }
}

internal sealed class SqsReceiveEndpointBuilder : ReceiveEndpointBuilder
{
    readonly SqsReceiveEndpointConfiguration _configuration;

    public SqsReceiveEndpointBuilder(SqsReceiveEndpointConfiguration configuration)
        : base(configuration)
    {
        _configuration = configuration;
    }

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
        {
            var topology = _configuration.SqsTopology.SqsConsume.GetSqsMessageTopology<T>();
            if (topology.ConfigureConsumeTopology)
                topology.Subscribe();
        }
        return base.ConnectConsumePipe(pipe, options);
    }
}

internal sealed class SqsBusFactoryConfigurator : BusFactoryConfigurator, IAmazonSqsBusFactoryConfigurator, IBusFactory
{
    readonly SqsBusConfiguration _busConfiguration;
    readonly SqsHostConfiguration _hostConfiguration;

    public SqsBusFactoryConfigurator(SqsBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        var queueName = _busConfiguration.SqsTopology.Consume.CreateTemporaryQueueName("bus");
        return _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, _busConfiguration.BusEndpointConfiguration, c => configure(c),
            temporary: true);
    }

    public void Host(string region, Action<IAmazonSqsHostConfigurator>? configure = null)
    {
        var configurator = new SqsHostConfigurator(region);
        configure?.Invoke(configurator);
        _hostConfiguration.Settings = configurator.Settings;
    }

    public void Host(AmazonSqsHostSettings settings) => _hostConfiguration.Settings = settings;

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}

internal sealed class SqsRegistrationBusFactory : TransportRegistrationBusFactory<IAmazonSqsReceiveEndpointConfigurator>
{
    readonly SqsBusConfiguration _busConfiguration;
    readonly Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? _configure;

    public SqsRegistrationBusFactory(Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure)
        : this(new SqsBusConfiguration(new SqsTopologyConfiguration(SqsTopologyConfiguration.CreateMessageTopology())), configure)
    {
    }

    SqsRegistrationBusFactory(SqsBusConfiguration busConfiguration, Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var configurator = new SqsBusFactoryConfigurator(_busConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }
}
