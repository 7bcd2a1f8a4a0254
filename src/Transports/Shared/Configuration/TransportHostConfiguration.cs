using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// MassTransit's <see cref="BaseHostConfiguration{TConfiguration, TConfigurator}"/> for a Persisters transport: the host
/// settings (validated when set), the broker client (one per host, created on first use), the bus topology, and the receive
/// endpoints configured on the host.
/// </summary>
/// <typeparam name="TConfiguration">The transport's receive endpoint configuration.</typeparam>
/// <typeparam name="TConfigurator">The transport's receive endpoint configurator interface.</typeparam>
/// <typeparam name="TTopology">The transport's topology configuration.</typeparam>
/// <typeparam name="TSettings">The transport's host settings.</typeparam>
/// <typeparam name="TBroker">The transport's broker client.</typeparam>
internal abstract class TransportHostConfiguration<TConfiguration, TConfigurator, TTopology, TSettings, TBroker>
    : BaseHostConfiguration<TConfiguration, TConfigurator>, ITransportHostConfiguration<TConfigurator>
    where TConfiguration : class, ITransportReceiveEndpointConfiguration, TConfigurator
    where TConfigurator : IReceiveEndpointConfigurator
    where TTopology : ITransportTopologyConfiguration<TTopology>
    where TSettings : class, ITransportHostSettings
    where TBroker : class
{
    private readonly TransportBusConfiguration<TTopology> _busConfiguration;
    private readonly TransportBusTopology _topology;
    private readonly Uri _unconfigured;
    private readonly string _transportName;
    private readonly string _hostCall;
    private readonly object _lock = new();
    private TSettings? _settings;
    private TBroker? _broker;

    /// <param name="busConfiguration">The bus configuration this host belongs to.</param>
    /// <param name="transientExceptions">The broker's transient errors: a receive transport that fails to start with one is retried
    /// (exponentially, 1 s to 30 s, without a limit that matters).</param>
    /// <param name="scheme">The transport's URI scheme (the host address before <c>Host(…)</c> is <c>SCHEME://unconfigured/</c>).</param>
    /// <param name="transportName">The transport's name in messages, e.g. "Amazon SQS".</param>
    /// <param name="hostCall">The call that configures the host, for the message when it is missing, e.g. <c>cfg.Host("region", h => ...)</c>.</param>
    protected TransportHostConfiguration(TransportBusConfiguration<TTopology> busConfiguration, Action<IExceptionConfigurator> transientExceptions, string scheme,
        string transportName, string hostCall)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _topology = new TransportBusTopology(this, busConfiguration.Topology);
        ReceiveTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            transientExceptions(x);
            x.Exponential(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
        });
        _unconfigured = new Uri($"{scheme}://unconfigured/");
        _transportName = transportName;
        _hostCall = hostCall;
    }

    public override Uri HostAddress => _settings?.HostAddress ?? _unconfigured;
    public override IBusTopology Topology => _topology;
    public override IRetryPolicy ReceiveTransportRetryPolicy { get; }

    /// <summary>The host settings. Set: validated first (throws <see cref="ConfigurationException"/>); get before set: throws <see cref="ConfigurationException"/>.</summary>
    public TSettings Settings
    {
        get => _settings ?? throw new ConfigurationException($"{_transportName}: the host is not configured; call {_hostCall}.");
        set
        {
            value.Validate();
            _settings = value;
        }
    }

    /// <summary>The host's broker client, created from <see cref="Settings"/> on first use.</summary>
    public TBroker Broker
    {
        get
        {
            lock (_lock)
                return _broker ??= CreateBroker(Settings);
        }
    }

    public override IEnumerable<ValidationResult> Validate()
    {
        foreach (var result in base.Validate())
            yield return result;
        if (_settings is null)
            yield return this.Failure("Host", $"must be configured with {_hostCall}");
    }

    /// <summary>A receive endpoint's configuration (inheriting the bus's pipes), not yet attached to this host.</summary>
    public TransportEndpointConfiguration<TTopology> CreateEndpointConfiguration() => _busConfiguration.CreateEndpointConfiguration();

    /// <summary>Configures a receive endpoint on <paramref name="queueName"/> and adds it to the host's endpoints.</summary>
    /// <exception cref="ArgumentException"><paramref name="queueName"/> is empty or white space.</exception>
    public TConfiguration CreateReceiveEndpointConfiguration(string queueName, TransportEndpointConfiguration<TTopology> endpointConfiguration,
        Action<TConfigurator>? configure, bool temporary = false)
    {
        if (string.IsNullOrWhiteSpace(queueName))
            throw new ArgumentException("The queue name is required.", nameof(queueName));
        var configuration = CreateConfiguration(queueName, endpointConfiguration);
        configuration.IsTemporary = temporary;
        configure?.Invoke(configuration);
        Observers.EndpointConfigured(configuration);
        Add(configuration);
        OnEndpointAdded(queueName, configuration);
        return configuration;
    }

    public TConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<TConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, CreateEndpointConfiguration(), configure);

    ITransportReceiveEndpointConfiguration ITransportHostConfiguration<TConfigurator>.CreateReceiveEndpointConfiguration(string queueName,
        Action<TConfigurator>? configure) => CreateReceiveEndpointConfiguration(queueName, configure);

    public override IReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, configure is null ? null : c => configure(c));

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        var queueName = _busConfiguration.Topology.Consume.CreateTemporaryQueueName("bus");
        return CreateReceiveEndpointConfiguration(queueName, _busConfiguration.BusEndpointConfiguration, c => configure(c), temporary: true);
    }

    /// <summary>MassTransit's endpoint definition settings, and <see cref="IEndpointDefinition.IsTemporary"/> made the endpoint's.</summary>
    public void ApplyEndpointDefinition(TConfigurator configurator, IEndpointDefinition definition)
    {
        if (definition.IsTemporary && configurator is TConfiguration configuration)
            configuration.IsTemporary = true;
        base.ApplyEndpointDefinition(configurator, definition);
    }

    public override void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<TConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        ReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override void ReceiveEndpoint(string queueName, Action<TConfigurator> configureEndpoint) =>
        CreateReceiveEndpointConfiguration(queueName, configureEndpoint);

    public override IHost Build()
    {
        var host = CreateHost(_topology);
        foreach (var endpoint in GetConfiguredEndpoints())
            endpoint.Build(host);
        return host;
    }

    /// <summary>The transport's receive endpoint configuration for <paramref name="queueName"/>.</summary>
    protected abstract TConfiguration CreateConfiguration(string queueName, TransportEndpointConfiguration<TTopology> endpointConfiguration);

    /// <summary>The transport's broker client for <paramref name="settings"/>.</summary>
    protected abstract TBroker CreateBroker(TSettings settings);

    /// <summary>The transport's host over this configuration.</summary>
    protected abstract IHost CreateHost(TransportBusTopology busTopology);

    /// <summary>Called once a receive endpoint is configured and added (after the endpoint configuration observers).</summary>
    protected virtual void OnEndpointAdded(string queueName, TConfiguration configuration)
    {
    }
}
