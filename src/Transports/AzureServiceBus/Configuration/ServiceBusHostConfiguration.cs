using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.AzureServiceBus.Transport;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusHostConfiguration : BaseHostConfiguration<ServiceBusReceiveEndpointConfiguration, IServiceBusReceiveEndpointConfigurator>
{
    private static readonly Uri Unconfigured = new($"{ServiceBusHostSettings.Scheme}://unconfigured/");

    private readonly ServiceBusBusConfiguration _busConfiguration;
    private readonly ServiceBusBusTopology _topology;
    private readonly object _lock = new();
    private readonly Dictionary<string, ServiceBusReceiveEndpointConfiguration> _endpointsByName = new(StringComparer.OrdinalIgnoreCase);
    private ServiceBusHostSettings? _settings;
    private ServiceBusBroker? _broker;

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
