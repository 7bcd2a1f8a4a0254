using System.Globalization;
using Amazon.SQS;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.AmazonSqs.Transport;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

/// <summary>Topology without a receiver, and queue retention, for a bus on the Amazon SQS transport.</summary>
public static class AmazonSqsTopologyDeployment
{
    /// <summary>SQS bounds of <c>MessageRetentionPeriod</c>: 60 seconds to 14 days.</summary>
    public static readonly TimeSpan MinRetention = TimeSpan.FromSeconds(60), MaxRetention = TimeSpan.FromDays(14);

    /// <summary>
    /// Creates the receive endpoint's queue (with its <c>_error</c> queue and redrive policy) and records its subscriptions
    /// (queue tags), exactly as the endpoint does when it starts, but never receives from it. Idempotent.
    /// </summary>
    /// <exception cref="NotSupportedException">The bus does not run on this transport.</exception>
    /// <exception cref="AmazonSQSException">SQS refused or cannot be reached.</exception>
    public static async Task DeployReceiveEndpointTopology(this IBusInstance bus, string queueName, Action<IReceiveEndpointConfigurator> configure,
        CancellationToken cancellationToken)
    {
        var host = Host(bus);
        var configuration = host.CreateReceiveEndpointConfiguration(queueName, e => configure(e));
        var context = (SqsReceiveEndpointContext)configuration.CreateReceiveEndpointContext();
        await context.Broker.DeployQueue(context.QueueName, context.IsTemporary, context.Subscriptions, cancellationToken);
    }

    /// <summary>
    /// Sets the queue's <c>MessageRetentionPeriod</c> (SetQueueAttributes on the existing queue, created first if missing),
    /// clamped to what SQS accepts. Returns the period applied.
    /// </summary>
    public static async Task<TimeSpan> SetMessageRetentionPeriod(this IBusInstance bus, string queueName, TimeSpan retention, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Clamp(retention.TotalSeconds, MinRetention.TotalSeconds, MaxRetention.TotalSeconds);
        await Host(bus).Broker.Queues.SetQueueAttributes(queueName,
            new Dictionary<string, string> { [QueueAttributeName.MessageRetentionPeriod] = seconds.ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The physical SQS name of a logical queue name (the configured prefix in front).</summary>
    public static string PhysicalQueueName(this IBusInstance bus, string queueName) => Host(bus).Broker.Queues.PhysicalName(queueName);

    private static SqsHostConfiguration Host(IBusInstance bus) => bus.GetHostConfiguration<SqsHostConfiguration>("Amazon SQS");
}
