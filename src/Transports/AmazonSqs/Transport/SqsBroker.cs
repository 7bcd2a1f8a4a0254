using Amazon.SQS;
using MassTransit;
using MassTransit.Middleware;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// The narrow broker client under the MassTransit adapter, one per bus host: it owns the one SQS client (created on first
/// use) and the three parts that use it, <see cref="Queues"/> (names and creation), <see cref="Subscriptions"/>
/// (subscriptions as queue tags) and <see cref="Messages"/> (batched message operations). As the host's agent, its stop
/// flushes the message batches. Callers use the part that does the job; only <see cref="DeployQueue"/> spans two parts.
/// </summary>
internal sealed class SqsBroker : Agent
{
    /// <param name="settings">The host settings (region, credentials, queue name prefix, subscription cache).</param>
    public SqsBroker(AmazonSqsHostSettings settings)
    {
        var lazy = new Lazy<IAmazonSQS>(settings.CreateClient);
        Queues = new SqsQueues(settings, () => lazy.Value);
        Subscriptions = new SqsSubscriptions(settings, () => lazy.Value);
        Messages = new SqsMessages(() => lazy.Value);
        SetReady();
    }

    /// <summary>Queue names, URLs (queues created on first use), attributes and deletion.</summary>
    public SqsQueues Queues { get; }

    /// <summary>Subscriptions recorded as queue tags, and the publisher's cached view of them.</summary>
    public SqsSubscriptions Subscriptions { get; }

    /// <summary>Send, delete and release (batched), visibility changes and receive, on queues by URL.</summary>
    public SqsMessages Messages { get; }

    /// <summary>
    /// A receive endpoint's topology: its queue (created if missing, see <see cref="SqsQueues.GetQueueUrl(string, bool, CancellationToken)"/>)
    /// and its subscriptions recorded as the queue's tags (<see cref="SqsSubscriptions.SetSubscriptions"/>); when it subscribes to
    /// anything, this host's cached view of the subscriptions is dropped. Returns the queue URL.
    /// </summary>
    /// <exception cref="ConfigurationException">More than <see cref="SqsSubscriptions.MaxSubscriptionsPerQueue"/> subscriptions.</exception>
    /// <exception cref="AmazonSQSException">SQS refused or cannot be reached.</exception>
    public async Task<string> DeployQueue(string logicalName, bool temporary, IReadOnlyCollection<string> subscriptions, CancellationToken cancellationToken)
    {
        var url = await Queues.GetQueueUrl(logicalName, temporary, cancellationToken);
        await Subscriptions.SetSubscriptions(url, subscriptions, cancellationToken);
        if (subscriptions.Count > 0)
            Subscriptions.Invalidate();
        return url;
    }

    protected override async Task StopAgent(StopContext context)
    {
        await Messages.DisposeAsync();
        await base.StopAgent(context);
    }
}
