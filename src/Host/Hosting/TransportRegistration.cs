using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persisters.Consumers.Demand;
using Persisters.Host.Configuration;
using Persisters.Scheduling;

namespace Persisters.Host.Hosting;

/// <summary>Picks the configured broker for a bus (Transport:Kind).</summary>
public static class TransportRegistration
{
    /// <remarks>
    /// Each transport also registers its <see cref="IReceiveEndpointTopologyDeployer"/> (declare without consuming, queue
    /// retention); MassTransit's in-memory transport uses the default one. A new transport adds its own here.
    /// </remarks>
    /// <param name="withScheduler">Serve and use the durable scheduler (the service); publish-only buses do not.</param>
    public static void UsingPersistersTransport(this IBusRegistrationConfigurator x, TransportOptions transport, bool withScheduler = false)
    {
        switch (transport.Kind)
        {
            case TransportKind.InMemory:
                x.UsingInMemory((context, cfg) =>
                {
                    if (withScheduler) cfg.UseDurableMessageScheduler(context);
                    cfg.ConfigureEndpoints(context);
                });
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
                    if (withScheduler) cfg.UseDurableMessageScheduler(context);
                    cfg.ConfigureEndpoints(context);
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
                    if (withScheduler) cfg.UseDurableMessageScheduler(context);
                    cfg.ConfigureEndpoints(context);
                });
                break;
            default:
                throw new SettingsException($"Transport:Kind '{transport.Kind}' is not available in this build yet.");
        }
    }
}
