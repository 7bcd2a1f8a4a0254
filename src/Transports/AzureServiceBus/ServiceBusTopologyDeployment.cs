using Azure;
using Azure.Messaging.ServiceBus;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

/// <summary>Topology without a receiver, and queue retention, for a bus on the Azure Service Bus transport.</summary>
public static class ServiceBusTopologyDeployment
{
    /// <summary>The shortest <c>DefaultMessageTimeToLive</c> Service Bus takes (the SDK checks it): one second.</summary>
    public static readonly TimeSpan MinRetention = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Creates the receive endpoint's entities exactly as the endpoint does when it starts, but opens no receiver on its queue:
    /// the queue, its <c>_error</c> and <c>_skipped</c> queues, the topics of the message types it consumes and the
    /// subscriptions that forward them to the queue. With <c>CreateEntities = false</c> it checks over the data plane that
    /// they exist (a sender link to each queue and topic, a peek on each subscription; no message is received or locked)
    /// and throws <see cref="Persisters.Transports.AzureServiceBus.ServiceBusEntitiesMissingException"/> naming every missing one.
    /// Idempotent: existing entities and their messages are left as they are (a subscription forwarding elsewhere is pointed at
    /// this queue).
    /// </summary>
    /// <exception cref="NotSupportedException">The bus does not run on this transport.</exception>
    /// <exception cref="ServiceBusException">Service Bus refused or cannot be reached.</exception>
    public static async Task DeployServiceBusReceiveEndpointTopology(this IBusInstance bus, string queueName, Action<IReceiveEndpointConfigurator> configure,
        CancellationToken cancellationToken)
    {
        var host = Host(bus);
        var configuration = host.CreateReceiveEndpointConfiguration(queueName, (IServiceBusReceiveEndpointConfigurator e) => configure(e));
        // Building the context connects the consume pipes, which subscribe the endpoint to its message types' topics.
        configuration.CreateReceiveEndpointContext();
        await host.Broker.PrepareEndpoint(configuration.GetEntities(), cancellationToken);
    }

    /// <summary>
    /// Bounds how long Service Bus keeps a message in the queue of the receive endpoint <paramref name="queueName"/> (its name
    /// below the host's scope): the queue's <c>DefaultMessageTimeToLive</c> becomes <paramref name="retention"/> (at least
    /// <see cref="MinRetention"/>) and <c>DeadLetteringOnMessageExpiration</c> false, so that Service Bus drops an expired message
    /// instead of keeping it in the dead-letter queue. Set on the existing queue with the administration client (an update,
    /// never a re-creation: the messages stay). Service Bus fixes a message's expiry when it is enqueued, so messages already
    /// waiting keep theirs; the bound holds for every message enqueued afterwards, whoever sends it.
    /// With <c>CreateEntities = false</c> nothing is changed: the queue's settings are read and checked instead.
    /// </summary>
    /// <returns>What was found and done.</returns>
    /// <exception cref="NotSupportedException">The bus does not run on this transport.</exception>
    /// <exception cref="InvalidOperationException"><c>CreateEntities = false</c> and the provisioned queue keeps messages longer, or dead-letters
    /// expired ones.</exception>
    /// <exception cref="ServiceBusException">Service Bus refused or cannot be reached.</exception>
    public static async Task<ServiceBusQueueRetention> SetServiceBusMessageRetention(this IBusInstance bus, string queueName, TimeSpan retention,
        CancellationToken cancellationToken)
    {
        var host = Host(bus);
        var broker = host.Broker;
        var path = ServiceBusNames.QueuePath(host.Scope, queueName);
        var timeToLive = retention < MinRetention ? MinRetention : retention;

        Azure.Messaging.ServiceBus.Administration.QueueProperties properties;
        try
        {
            properties = await broker.Administration.GetQueueAsync(path, cancellationToken);
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            // Not declared yet: a queue the host creates gets the bound with its other settings; a provisioned one must have it.
            return new ServiceBusQueueRetention(path, broker.CreateEntities ? ServiceBusRetentionOutcome.NotCreatedYet : ServiceBusRetentionOutcome.Missing,
                timeToLive);
        }
        catch (Exception exception) when (!broker.CreateEntities && exception is UnauthorizedAccessException or RequestFailedException { Status: 401 or 403 })
        {
            return new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.NotChecked, timeToLive);
        }

        var bounded = properties.DefaultMessageTimeToLive <= timeToLive && !properties.DeadLetteringOnMessageExpiration;
        if (!broker.CreateEntities)
        {
            return bounded
                ? new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.Checked, properties.DefaultMessageTimeToLive)
                : throw new InvalidOperationException(
                    $"Service Bus queue {path} has DefaultMessageTimeToLive={System.Xml.XmlConvert.ToString(properties.DefaultMessageTimeToLive)} and " +
                    $"DeadLetteringOnMessageExpiration={(properties.DeadLetteringOnMessageExpiration ? "true" : "false")}; the bound is " +
                    $"DefaultMessageTimeToLive={System.Xml.XmlConvert.ToString(timeToLive)} (or less) with DeadLetteringOnMessageExpiration=false, and the " +
                    "transport may not change it (CreateEntities is false). Update the queue's settings.");
        }
        if (properties.DefaultMessageTimeToLive == timeToLive && !properties.DeadLetteringOnMessageExpiration)
            return new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.AlreadySet, timeToLive);

        properties.DefaultMessageTimeToLive = timeToLive;
        properties.DeadLetteringOnMessageExpiration = false;
        await broker.Administration.UpdateQueueAsync(properties, cancellationToken);
        return new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.Set, timeToLive);
    }

    private static ServiceBusHostConfiguration Host(IBusInstance bus) => bus.GetHostConfiguration<ServiceBusHostConfiguration>("Azure Service Bus");
}

/// <summary>What <see cref="ServiceBusTopologyDeployment.SetServiceBusMessageRetention"/> found and did for one queue.</summary>
/// <param name="QueuePath">The queue's full path (scope included).</param>
/// <param name="TimeToLive">The bound applied, or (<see cref="ServiceBusRetentionOutcome.Checked"/>) the queue's own, shorter or equal.</param>
public sealed record ServiceBusQueueRetention(string QueuePath, ServiceBusRetentionOutcome Outcome, TimeSpan TimeToLive);

public enum ServiceBusRetentionOutcome
{
    /// <summary>The queue's settings were updated.</summary>
    Set,

    /// <summary>The queue had the bound already.</summary>
    AlreadySet,

    /// <summary>The queue does not exist yet; the transport may create it, and then gives it the endpoint's settings.</summary>
    NotCreatedYet,

    /// <summary><c>CreateEntities = false</c>: the provisioned queue keeps messages no longer than the bound and drops expired ones.</summary>
    Checked,

    /// <summary><c>CreateEntities = false</c> and the credentials may not read entity settings (Manage right): not checked.</summary>
    NotChecked,

    /// <summary><c>CreateEntities = false</c> and the queue is not provisioned (the endpoint's start names it too).</summary>
    Missing,
}
