using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;
using MassTransit.Middleware;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// The narrow client under the MassTransit adapter, one per bus host: the SDK's <see cref="ServiceBusClient"/> (one AMQP
/// connection), entity creation through the administration client or existence checks over the data plane, and one
/// batching sender per entity. Receivers belong to the receive endpoints.
/// </summary>
internal sealed class ServiceBusBroker : Agent
{
    private readonly ServiceBusHostSettings _settings;
    private readonly Lazy<ServiceBusClient> _client;
    private readonly Lazy<ServiceBusAdministrationClient> _administration;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _ensured = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ServiceBusSendQueue> _senders = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTime> _missingTopicsLogged = new(StringComparer.OrdinalIgnoreCase);

    public ServiceBusBroker(ServiceBusHostSettings settings)
    {
        _settings = settings;
        _client = new Lazy<ServiceBusClient>(settings.CreateClient);
        _administration = new Lazy<ServiceBusAdministrationClient>(settings.CreateAdministrationClient);
        SetReady();
    }

    public ServiceBusClient Client => _client.Value;
    public ServiceBusAdministrationClient Administration => _administration.Value;
    public bool CreateEntities => _settings.CreateEntities;
    public Uri HostAddress => _settings.HostAddress;

    // ----- entities -------------------------------------------------------------------------------------------

    /// <summary>
    /// Makes sure a receive endpoint's entities exist: creates the missing ones (<c>CreateEntities</c>), or checks every one
    /// and throws <see cref="ServiceBusEntitiesMissingException"/> naming all that are missing.
    /// </summary>
    public async Task PrepareEndpoint(EndpointEntities entities, CancellationToken cancellationToken)
    {
        if (CreateEntities)
        {
            await Task.WhenAll(entities.Topics.Select(t => EnsureTopic(t, cancellationToken)));
            var queues = new List<CreateQueueOptions> { entities.Queue };
            if (entities.ErrorQueue is not null)
                queues.Add(entities.ErrorQueue);
            if (entities.SkippedQueue is not null)
                queues.Add(entities.SkippedQueue);
            await Task.WhenAll(queues.Select(q => EnsureQueue(q, cancellationToken)));
            await Task.WhenAll(entities.Subscriptions.Select(s => EnsureSubscription(s, cancellationToken)));
            return;
        }

        var missing = await FindMissing(entities.Describe(), cancellationToken);
        if (missing.Count > 0)
            throw new ServiceBusEntitiesMissingException(new ServiceBusAddress(ServiceBusEntityType.Queue, entities.Queue.Name).ToUri(HostAddress), missing);
    }

    /// <summary>
    /// The entities of <paramref name="entities"/> that do not exist, found over the data plane (no Manage right needed):
    /// a queue or topic by opening a sender link, a subscription by peeking it (Listen).
    /// </summary>
    public async Task<IReadOnlyList<ServiceBusEntityDescription>> FindMissing(IEnumerable<ServiceBusEntityDescription> entities,
        CancellationToken cancellationToken)
    {
        var checks = entities.Select(async entity => await Exists(entity, cancellationToken) ? null : entity).ToList();
        var results = await Task.WhenAll(checks);
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }

    private async Task<bool> Exists(ServiceBusEntityDescription entity, CancellationToken cancellationToken)
    {
        try
        {
            if (entity.Kind == ServiceBusEntityDescription.SubscriptionKind)
            {
                await using var receiver = Client.CreateReceiver(entity.TopicPath!, entity.SubscriptionName!);
                await receiver.PeekMessageAsync(cancellationToken: cancellationToken);
            }
            else
                await GetSendQueue(entity.Path).Open(cancellationToken);
            return true;
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            if (entity.Kind != ServiceBusEntityDescription.SubscriptionKind)
                await DropSendQueue(entity.Path);
            return false;
        }
    }

    public Task EnsureQueue(CreateQueueOptions options, CancellationToken cancellationToken) =>
        Once("queue:" + options.Name, () => CreateQueue(options), cancellationToken);

    public Task EnsureTopic(CreateTopicOptions options, CancellationToken cancellationToken) =>
        Once("topic:" + options.Name, () => CreateTopic(options), cancellationToken);

    public Task EnsureSubscription(CreateSubscriptionOptions options, CancellationToken cancellationToken) =>
        Once($"subscription:{options.TopicName}/{options.SubscriptionName}", () => CreateSubscription(options), cancellationToken);

    /// <summary>A publish's topic and its forwarding subscriptions to the topics of the types it implements.</summary>
    public Task EnsurePublishEntities(PublishEntities entities, CancellationToken cancellationToken) =>
        Once("publish:" + entities.TopicPath, async () =>
        {
            await CreateTopic(ServiceBusDefaults.Topic(entities.TopicPath));
            await Task.WhenAll(entities.ImplementedTopicPaths.Select(t => CreateTopic(ServiceBusDefaults.Topic(t))));
            await Task.WhenAll(entities.ForwardingSubscriptions().Select(CreateSubscription));
        }, cancellationToken);

    /// <summary>Forgets that a queue was created here (it was deleted), so the next use creates it again.</summary>
    public void ForgetQueue(string path) => _ensured.TryRemove("queue:" + path, out _);

    private async Task Once(string key, Func<Task> create, CancellationToken cancellationToken)
    {
        var lazy = _ensured.GetOrAdd(key, _ => new Lazy<Task>(create));
        try
        {
            await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _ensured.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, lazy));
            throw;
        }
    }

    private Task CreateQueue(CreateQueueOptions options) =>
        CreateIfMissing("queue", options.Name, () => Administration.QueueExistsAsync(options.Name), () => Administration.CreateQueueAsync(options));

    private Task CreateTopic(CreateTopicOptions options) =>
        CreateIfMissing("topic", options.Name, () => Administration.TopicExistsAsync(options.Name), () => Administration.CreateTopicAsync(options));

    /// <summary>Creates the <paramref name="kind"/> (queue, topic) named <paramref name="name"/> unless it exists; one created meanwhile by another process is fine.</summary>
    private static async Task CreateIfMissing(string kind, string name, Func<Task<Azure.Response<bool>>> exists, Func<Task> create)
    {
        if (await exists())
            return;
        try
        {
            await create();
            LogContext.Debug?.Log("Created Service Bus {EntityKind} {EntityPath}", kind, name);
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityAlreadyExists)
        {
        }
    }

    /// <summary>Creates the subscription, or points an existing one at the right queue (a changed ForwardTo would lose messages).</summary>
    private async Task CreateSubscription(CreateSubscriptionOptions options)
    {
        SubscriptionProperties? existing = null;
        try
        {
            existing = await Administration.GetSubscriptionAsync(options.TopicName, options.SubscriptionName);
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
        }

        if (existing is null)
        {
            try
            {
                await Administration.CreateSubscriptionAsync(options);
                LogContext.Debug?.Log("Created Service Bus subscription {Topic}/{Subscription} -> {ForwardTo}", options.TopicName, options.SubscriptionName,
                    options.ForwardTo);
            }
            catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityAlreadyExists)
            {
            }
            return;
        }

        if (!SameEntity(existing.ForwardTo, options.ForwardTo))
        {
            LogContext.Info?.Log("Service Bus subscription {Topic}/{Subscription} forwarded to {Old}; pointing it at {New}", options.TopicName,
                options.SubscriptionName, existing.ForwardTo, options.ForwardTo);
            existing.ForwardTo = options.ForwardTo;
            await Administration.UpdateSubscriptionAsync(existing);
        }
    }

    /// <summary>ForwardTo comes back from the service as an absolute URL; compare entity paths.</summary>
    private static bool SameEntity(string? a, string? b)
    {
        static string Path(string? value) =>
            string.IsNullOrEmpty(value) ? "" : Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri.AbsolutePath.Trim('/') : value.Trim('/');
        return string.Equals(Path(a), Path(b), StringComparison.OrdinalIgnoreCase);
    }

    public async Task DeleteEndpointEntities(EndpointEntities entities)
    {
        foreach (var subscription in entities.Subscriptions)
        {
            try
            {
                await Administration.DeleteSubscriptionAsync(subscription.TopicName, subscription.SubscriptionName);
            }
            catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
            {
            }
            _ensured.TryRemove($"subscription:{subscription.TopicName}/{subscription.SubscriptionName}", out _);
        }
        try
        {
            await Administration.DeleteQueueAsync(entities.Queue.Name);
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
        }
        ForgetQueue(entities.Queue.Name);
        await DropSendQueue(entities.Queue.Name);
    }

    // ----- messages -------------------------------------------------------------------------------------------

    public ServiceBusSendQueue GetSendQueue(string entityPath) =>
        _senders.GetOrAdd(entityPath, path => new ServiceBusSendQueue(Client.CreateSender(path),
            new ServiceBusAddress(ServiceBusEntityType.Queue, path).ToUri(HostAddress)));

    private async Task DropSendQueue(string entityPath)
    {
        if (_senders.TryRemove(entityPath, out var queue))
            await queue.DisposeAsync();
    }

    public Task Send(string entityPath, ServiceBusMessage message, CancellationToken cancellationToken) =>
        GetSendQueue(entityPath).Send(message, cancellationToken);

    /// <summary>Hands the message to Service Bus as a scheduled message; returns its sequence number.</summary>
    public async Task<long> Schedule(string entityPath, ServiceBusMessage message, DateTimeOffset enqueueTime, CancellationToken cancellationToken)
    {
        var queue = GetSendQueue(entityPath);
        await queue.EnsureFits(message, cancellationToken);
        return await queue.Schedule(message, enqueueTime, cancellationToken);
    }

    public Task CancelScheduled(string entityPath, long sequenceNumber, CancellationToken cancellationToken) =>
        GetSendQueue(entityPath).CancelScheduled(sequenceNumber, cancellationToken);

    /// <summary>Logs a publish dropped for want of a topic once a minute per topic (CreateEntities = false).</summary>
    public void LogMissingTopic(string topicPath)
    {
        var now = DateTime.UtcNow;
        if (_missingTopicsLogged.TryGetValue(topicPath, out var last) && now - last < TimeSpan.FromMinutes(1))
            return;
        _missingTopicsLogged[topicPath] = now;
        LogContext.Warning?.Log("Service Bus topic {Topic} does not exist, so nothing subscribes to it: the published message is dropped " +
            "(CreateEntities is false; provision the topic and its subscriptions if someone should receive it)", topicPath);
    }

    protected override async Task StopAgent(StopContext context)
    {
        foreach (var key in _senders.Keys.ToList())
            await DropSendQueue(key);
        if (_client.IsValueCreated && _settings.ServiceBusClient is null)
            await _client.Value.DisposeAsync();
        await base.StopAgent(context);
    }
}
