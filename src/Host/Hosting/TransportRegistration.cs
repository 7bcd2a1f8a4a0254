using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Persisters.Consumers;
using Persisters.Consumers.Demand;
using Persisters.Host.Configuration;
using Persisters.Scheduling;

namespace Persisters.Host.Hosting;

/// <summary>Picks the configured broker for a bus (Transport:Kind).</summary>
public static class TransportRegistration
{
    /// <remarks>
    /// Every transport also reads plain JSON (content type <c>application/json</c>, no MassTransit envelope) beside MassTransit's
    /// envelopes: the message type comes from the <c>MT-MessageType</c> header (<c>urn:message:Persisters.Contracts:EvaluationEvent</c>),
    /// see docs/plain-json-publishing.md.
    /// Each transport also registers its <see cref="IReceiveEndpointTopologyDeployer"/> (declare without consuming, queue
    /// retention); MassTransit's in-memory transport uses the default one. A new transport adds its own here.
    /// </remarks>
    /// <param name="withScheduler">Serve and use the durable scheduler (the service); publish-only buses do not.</param>
    public static void UsingPersistersTransport(this IBusRegistrationConfigurator x, TransportOptions transport, bool withScheduler = false)
    {
        switch (transport.Kind)
        {
            case TransportKind.InMemory:
                x.UsingInMemory((context, cfg) => ConfigureBusDefaults(cfg, context, withScheduler));
                break;
            case TransportKind.RabbitMq:
                var o = transport.RabbitMq;
                x.Replace(ServiceDescriptor.Singleton<IReceiveEndpointTopologyDeployer>(sp => new RabbitMqReceiveEndpointTopologyDeployer(sp.GetRequiredService<MassTransit.Transports.IBusInstance>(), o)));
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(o.Host, o.Port, o.VirtualHost, h =>
                    {
                        h.Username(o.Username);
                        h.Password(o.Password);
                        if (o.UseSsl) h.UseSsl(_ => { });
                    });
                    ConfigureBusDefaults(cfg, context, withScheduler);
                });
                break;
            case TransportKind.AmazonSqs:
                var sqs = transport.AmazonSqs;
                x.Replace(ServiceDescriptor.Singleton<IReceiveEndpointTopologyDeployer, AmazonSqsReceiveEndpointTopologyDeployer>());
                x.UsingAmazonSqs((context, cfg) =>
                {
                    cfg.Host(sqs.Region, h =>
                    {
                        if (sqs.AccessKey is not null && sqs.SecretKey is not null)
                        {
                            h.AccessKey(sqs.AccessKey);
                            h.SecretKey(sqs.SecretKey);
                        }
                        if (sqs.ServiceUrl is not null) h.Config(new Amazon.SQS.AmazonSQSConfig { ServiceURL = sqs.ServiceUrl.ToString() });
                        if (sqs.QueuePrefix.Length > 0) h.QueueNamePrefix(sqs.QueuePrefix);
                    });
                    ConfigureBusDefaults(cfg, context, withScheduler);
                });
                break;
            case TransportKind.AzureServiceBus:
                x.Replace(ServiceDescriptor.Singleton<IReceiveEndpointTopologyDeployer, AzureServiceBusReceiveEndpointTopologyDeployer>());
                x.UsingPersistersAzureServiceBus(transport.AzureServiceBus, withScheduler);
                break;
            default:
                throw new SettingsException($"Transport:Kind '{transport.Kind}' is not available in this build yet.");
        }
    }

    /// <summary>What every broker but Service Bus gets after its host: the durable scheduler (when serving it), plain JSON, the endpoints.</summary>
    private static void ConfigureBusDefaults<T>(IBusFactoryConfigurator<T> cfg, IBusRegistrationContext context, bool withScheduler)
        where T : IReceiveEndpointConfigurator
    {
        if (withScheduler) cfg.UseDurableMessageScheduler(context);
        cfg.UsePlainJson();
        cfg.ConfigureEndpoints(context);
    }

    /// <summary>
    /// Azure Service Bus (the project's transport, src/Transports/AzureServiceBus): a connection string or the namespace with
    /// DefaultAzureCredential. A scope puts the queues under <c>SCOPE/</c> and, here in the host, the topics too, so that
    /// deployments sharing a namespace never see each other's messages.
    /// </summary>
    private static void UsingPersistersAzureServiceBus(this IBusRegistrationConfigurator x, AzureServiceBusTransportOptions o, bool withScheduler) =>
        x.UsingAzureServiceBus((context, cfg) =>
        {
            cfg.Host(o.HostAddress, h =>
            {
                if (o.ConnectionString is not null) h.ConnectionString = o.ConnectionString;
                else h.TokenCredential = new Azure.Identity.DefaultAzureCredential();
                h.CreateEntities = o.CreateEntities;
            });
            if (o.NamespaceSeparator != "/") cfg.SetNamespaceSeparatorTo(o.NamespaceSeparator);
            if (o.Scope.Length > 0)
            {
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, o.Scope + o.NamespaceSeparator));
            }
            var retention = context.GetRequiredService<IOptions<PersisterOptions>>().Value.EffectiveQueueRetention;
            cfg.ConnectEndpointConfigurationObserver(new ServiceBusQueueSettings(o.LockDuration, retention));
            if (withScheduler) cfg.UseDurableMessageScheduler(context);
            cfg.ConfigureEndpoints(context);
        });

    /// <summary>
    /// Gives every receive endpoint, the dynamically connected persister endpoints included, the configured lock duration, and
    /// the persister queues the retention bound (<c>Persisters:QueueRetention</c>) as their <c>DefaultMessageTimeToLive</c>, with
    /// expired messages dropped rather than dead-lettered: a queue the host creates has it from the start, and
    /// <c>servicebus-entities</c> lists it for provisioning. Existing queues get it from
    /// <see cref="AzureServiceBusReceiveEndpointTopologyDeployer.ApplyRetentionAsync"/>.
    /// </summary>
    private sealed class ServiceBusQueueSettings(TimeSpan lockDuration, TimeSpan retention) : IEndpointConfigurationObserver
    {
        public void EndpointConfigured<T>(T configurator) where T : IReceiveEndpointConfigurator
        {
            if (configurator is not IServiceBusReceiveEndpointConfigurator serviceBus) return;
            serviceBus.LockDuration = lockDuration;
            var queue = configurator.InputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1];
            if (retention > TimeSpan.Zero && PersisterQueues.All.Contains(queue))
            {
                serviceBus.DefaultMessageTimeToLive = retention < ServiceBusTopologyDeployment.MinRetention ? ServiceBusTopologyDeployment.MinRetention : retention;
                serviceBus.EnableDeadLetteringOnMessageExpiration = false;
            }
        }
    }
}
