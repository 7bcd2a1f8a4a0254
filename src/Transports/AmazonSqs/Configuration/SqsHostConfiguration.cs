using Amazon.Runtime;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsHostConfiguration : BaseHostConfiguration<SqsReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator>
{
    private static readonly Uri Unconfigured = new($"{AmazonSqsHostSettings.Scheme}://unconfigured/");

    private readonly SqsBusConfiguration _busConfiguration;
    private readonly SqsBusTopology _topology;
    private readonly object _lock = new();
    private AmazonSqsHostSettings? _settings;
    private SqsBroker? _broker;

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
