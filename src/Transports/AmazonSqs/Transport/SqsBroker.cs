using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Middleware;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// The narrow broker client under the MassTransit adapter, one per bus host: <see cref="SqsQueues"/> (names and creation),
/// <see cref="SqsSubscriptions"/> (subscriptions as queue tags) and <see cref="SqsMessages"/> (batched message operations)
/// over one SQS client, and the agent whose stop flushes the message batches. The members below forward to those three.
/// </summary>
internal sealed class SqsBroker : Agent
{
    /// <inheritdoc cref="SqsMessages.MaxMessageBytes"/>
    public const int MaxMessageBytes = SqsMessages.MaxMessageBytes;

    /// <inheritdoc cref="SqsSubscriptions.MaxSubscriptionsPerQueue"/>
    public const int MaxSubscriptionsPerQueue = SqsSubscriptions.MaxSubscriptionsPerQueue;

    private readonly Lazy<IAmazonSQS> _client;

    /// <param name="client">The SQS client; by default one is created from <paramref name="settings"/> on first use.</param>
    public SqsBroker(AmazonSqsHostSettings settings, IAmazonSQS? client = null)
    {
        Settings = settings;
        _client = client is null ? new Lazy<IAmazonSQS>(settings.CreateClient) : new Lazy<IAmazonSQS>(() => client);
        Queues = new SqsQueues(settings, () => _client.Value);
        Subscriptions = new SqsSubscriptions(settings, () => _client.Value);
        Messages = new SqsMessages(() => _client.Value);
        SetReady();
    }

    /// <summary>The SQS client (created on first use unless one was given).</summary>
    public IAmazonSQS Client => _client.Value;
    public AmazonSqsHostSettings Settings { get; }
    public SqsQueues Queues { get; }
    public SqsSubscriptions Subscriptions { get; }
    public SqsMessages Messages { get; }

    /// <inheritdoc cref="SqsQueues.IsTerminal"/>
    public static bool IsTerminal(string logicalName) => SqsQueues.IsTerminal(logicalName);

    /// <inheritdoc cref="SqsSubscriptions.SubscriptionTagKey"/>
    public static string SubscriptionTagKey(string messageUrn) => SqsSubscriptions.SubscriptionTagKey(messageUrn);

    /// <summary>A receive endpoint's topology: its queue (created if missing) and its subscriptions; returns the queue URL.</summary>
    public async Task<string> DeployQueue(string logicalName, bool temporary, IReadOnlyCollection<string> subscriptions, CancellationToken cancellationToken)
    {
        var url = await Queues.GetQueueUrl(logicalName, temporary, cancellationToken);
        await Subscriptions.SetSubscriptions(url, subscriptions, cancellationToken);
        if (subscriptions.Count > 0)
            Subscriptions.Invalidate();
        return url;
    }

    /// <inheritdoc cref="SqsQueues.PhysicalName"/>
    public string PhysicalName(string logicalName) => Queues.PhysicalName(logicalName);

    /// <inheritdoc cref="SqsQueues.GetQueueUrl(string, CancellationToken)"/>
    public Task<string> GetQueueUrl(string logicalName, CancellationToken cancellationToken = default) => Queues.GetQueueUrl(logicalName, cancellationToken);

    /// <inheritdoc cref="SqsQueues.GetQueueUrl(string, bool, CancellationToken)"/>
    public Task<string> GetQueueUrl(string logicalName, bool temporary, CancellationToken cancellationToken) =>
        Queues.GetQueueUrl(logicalName, temporary, cancellationToken);

    /// <inheritdoc cref="SqsQueues.DeleteQueue"/>
    public Task DeleteQueue(string logicalName, CancellationToken cancellationToken = default) => Queues.DeleteQueue(logicalName, cancellationToken);

    /// <inheritdoc cref="SqsSubscriptions.SetSubscriptions"/>
    public Task SetSubscriptions(string queueUrl, IReadOnlyCollection<string> messageUrns, CancellationToken cancellationToken) =>
        Subscriptions.SetSubscriptions(queueUrl, messageUrns, cancellationToken);

    /// <inheritdoc cref="SqsSubscriptions.Invalidate"/>
    public void InvalidateSubscriptions() => Subscriptions.Invalidate();

    /// <inheritdoc cref="SqsSubscriptions.GetSubscribers"/>
    public Task<IReadOnlyList<string>> GetSubscribers(IReadOnlyList<string> messageUrns, CancellationToken cancellationToken) =>
        Subscriptions.GetSubscribers(messageUrns, cancellationToken);

    /// <inheritdoc cref="SqsMessages.Send"/>
    public Task Send(string queueUrl, SendMessageBatchRequestEntry entry, int size) => Messages.Send(queueUrl, entry, size);

    /// <inheritdoc cref="SqsMessages.Delete"/>
    public Task Delete(string queueUrl, string receiptHandle) => Messages.Delete(queueUrl, receiptHandle);

    /// <inheritdoc cref="SqsMessages.Release"/>
    public Task Release(string queueUrl, string receiptHandle) => Messages.Release(queueUrl, receiptHandle);

    /// <inheritdoc cref="SqsMessages.ChangeVisibilityBatch"/>
    public Task<IReadOnlyList<Exception?>> ChangeVisibilityBatch(string queueUrl, IReadOnlyList<string> handles, int seconds,
        CancellationToken cancellationToken) =>
        Messages.ChangeVisibilityBatch(queueUrl, handles, seconds, cancellationToken);

    /// <inheritdoc cref="SqsMessages.Receive"/>
    public Task<List<Message>> Receive(string queueUrl, int maxMessages, int waitSeconds, int visibilityTimeout, CancellationToken cancellationToken) =>
        Messages.Receive(queueUrl, maxMessages, waitSeconds, visibilityTimeout, cancellationToken);

    protected override async Task StopAgent(StopContext context)
    {
        await Messages.DisposeAsync();
        await base.StopAgent(context);
    }
}
