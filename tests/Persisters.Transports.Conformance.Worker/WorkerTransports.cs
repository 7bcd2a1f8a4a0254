using MassTransit;

namespace Persisters.Transports.Conformance.Worker;

/// <summary>
/// How the worker connects to a broker: the worker-side half of the test project's transport providers. The test's
/// provider (an <c>IDurableTransportUnderTest</c>) passes <see cref="WorkerTransports.TransportVariable" /> and the settings below in the
/// worker's environment. A new transport is one class here plus one entry in <see cref="WorkerTransports.All" />.
/// </summary>
public interface IWorkerTransport
{
    /// <summary>Creates a bus on this transport (<c>Bus.Factory.CreateUsingX</c>) and applies <paramref name="configure" /> to it.</summary>
    IBusControl CreateBus(Action<IBusFactoryConfigurator> configure);

    /// <summary>Transport-specific settings of the worker's endpoint (SQS: a short visibility timeout, so a killed worker's message comes back soon).</summary>
    void ConfigureEndpoint(IReceiveEndpointConfigurator endpoint)
    {
    }
}

public static class WorkerTransports
{
    public const string TransportVariable = "CONFORMANCE_TRANSPORT";

    public static readonly IReadOnlyDictionary<string, Func<IWorkerTransport>> All =
        new Dictionary<string, Func<IWorkerTransport>>(StringComparer.OrdinalIgnoreCase)
        {
            ["RabbitMq"] = () => new RabbitMqWorkerTransport(),
            ["AmazonSqs"] = () => new AmazonSqsWorkerTransport(),
            ["AzureServiceBus"] = () => new AzureServiceBusWorkerTransport(),
        };

    public static IWorkerTransport FromEnvironment()
    {
        var name = Required(TransportVariable);
        return All.TryGetValue(name, out var create)
            ? create()
            : throw new ArgumentException($"{TransportVariable}={name} is not a worker transport (known: {string.Join(", ", All.Keys)})");
    }

    public static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new ArgumentException($"{name} is not set");
}

/// <summary>CONFORMANCE_RABBITMQ_HOST, _PORT, _VHOST, _USER, _PASSWORD.</summary>
public sealed class RabbitMqWorkerTransport : IWorkerTransport
{
    public IBusControl CreateBus(Action<IBusFactoryConfigurator> configure) =>
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(WorkerTransports.Required("CONFORMANCE_RABBITMQ_HOST"), ushort.Parse(WorkerTransports.Required("CONFORMANCE_RABBITMQ_PORT")),
                WorkerTransports.Required("CONFORMANCE_RABBITMQ_VHOST"), h =>
                {
                    h.Username(WorkerTransports.Required("CONFORMANCE_RABBITMQ_USER"));
                    h.Password(WorkerTransports.Required("CONFORMANCE_RABBITMQ_PASSWORD"));
                });
            configure(cfg);
        });
}

/// <summary>CONFORMANCE_SQS_URL, _PREFIX, _VISIBILITY_TIMEOUT (seconds: how soon a killed worker's message is visible again).</summary>
public sealed class AmazonSqsWorkerTransport : IWorkerTransport
{
    public IBusControl CreateBus(Action<IBusFactoryConfigurator> configure) =>
        Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            cfg.Host("us-east-1", h =>
            {
                h.AccessKey("test");
                h.SecretKey("test");
                h.Config(new Amazon.SQS.AmazonSQSConfig { ServiceURL = WorkerTransports.Required("CONFORMANCE_SQS_URL") });
                h.QueueNamePrefix(WorkerTransports.Required("CONFORMANCE_SQS_PREFIX"));
            });
            configure(cfg);
        });

    public void ConfigureEndpoint(IReceiveEndpointConfigurator endpoint) =>
        ((IAmazonSqsReceiveEndpointConfigurator)endpoint).VisibilityTimeout = int.Parse(WorkerTransports.Required("CONFORMANCE_SQS_VISIBILITY_TIMEOUT"));
}

/// <summary>
/// CONFORMANCE_SERVICEBUS_CONNECTION_STRING, _SCOPE (queues under SCOPE/, topics prefixed with it), _LOCK_DURATION (seconds:
/// the worker creates its queue with this lock, so a killed worker's message comes back that soon).
/// </summary>
public sealed class AzureServiceBusWorkerTransport : IWorkerTransport
{
    public IBusControl CreateBus(Action<IBusFactoryConfigurator> configure) =>
        Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            var connectionString = WorkerTransports.Required("CONFORMANCE_SERVICEBUS_CONNECTION_STRING");
            var scope = WorkerTransports.Required("CONFORMANCE_SERVICEBUS_SCOPE");
            var endpoint = Azure.Messaging.ServiceBus.ServiceBusConnectionStringProperties.Parse(connectionString).Endpoint;
            cfg.Host(new Uri($"sb://{endpoint.Host}:{endpoint.Port}/{scope}"), h => h.ConnectionString = connectionString);
            cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, scope + "/"));
            configure(cfg);
        });

    public void ConfigureEndpoint(IReceiveEndpointConfigurator endpoint) =>
        ((IServiceBusReceiveEndpointConfigurator)endpoint).LockDuration =
        TimeSpan.FromSeconds(int.Parse(WorkerTransports.Required("CONFORMANCE_SERVICEBUS_LOCK_DURATION")));
}
