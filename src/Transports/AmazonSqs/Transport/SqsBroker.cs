using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Middleware;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// The narrow broker client under the MassTransit adapter: queue creation (cached), subscriptions as queue tags,
/// batched send / delete / release, receive and visibility changes. One per bus host.
/// </summary>
internal sealed class SqsBroker : Agent
{
    /// <summary>SQS limit for one message: body plus message attributes.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>SQS allows at most 50 tags per queue; one is the scope tag.</summary>
    public const int MaxSubscriptionsPerQueue = 49;

    private const string SubscriptionTagPrefix = "mt-sub:";
    private const string ScopeTag = "mt-scope";

    private readonly AmazonSqsHostSettings _settings;
    private readonly Lazy<IAmazonSQS> _client;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _queueUrls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Batcher<(SendMessageBatchRequestEntry Entry, int Size)>> _senders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Batcher<string>> _deleters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Batcher<string>> _releasers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile SubscriptionSnapshot? _subscriptions;

    public SqsBroker(AmazonSqsHostSettings settings, IAmazonSQS? client = null)
    {
        _settings = settings;
        _client = client is null ? new Lazy<IAmazonSQS>(settings.CreateClient) : new Lazy<IAmazonSQS>(() => client);
        SetReady();
    }

    public IAmazonSQS Client => _client.Value;
    public AmazonSqsHostSettings Settings => _settings;

    // ----- names ---------------------------------------------------------------------------------------------

    /// <summary>Logical names ending like this are terminal: created without a redrive policy and never subscribed.</summary>
    public static bool IsTerminal(string logicalName) =>
        logicalName.EndsWith("_error", StringComparison.Ordinal) || logicalName.EndsWith("_skipped", StringComparison.Ordinal);

    /// <summary>The SQS queue name for a logical (MassTransit) queue name: prefix + name, invalid characters replaced, at most 80.</summary>
    public string PhysicalName(string logicalName)
    {
        var builder = new StringBuilder(_settings.QueueNamePrefix.Length + logicalName.Length);
        builder.Append(_settings.QueueNamePrefix);
        foreach (var c in logicalName)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        var name = builder.ToString();
        if (name.Length <= 80)
            return name;
        // Too long: keep a readable head and make it unique with a hash of the full name.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return name[..71] + "-" + hash;
    }

    // ----- queues --------------------------------------------------------------------------------------------

    /// <summary>The URL of a queue, created on first use (with a redrive policy to its _error queue unless terminal).</summary>
    public Task<string> GetQueueUrl(string logicalName, CancellationToken cancellationToken = default) =>
        GetQueueUrl(logicalName, false, cancellationToken);

    /// <param name="temporary">A temporary queue (the bus endpoint's) gets no redrive policy and no _error queue.</param>
    public async Task<string> GetQueueUrl(string logicalName, bool temporary, CancellationToken cancellationToken)
    {
        var physical = PhysicalName(logicalName);
        var lazy = _queueUrls.GetOrAdd(physical, _ => new Lazy<Task<string>>(() => EnsureQueue(logicalName, physical, temporary)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _queueUrls.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(physical, lazy));
            throw;
        }
    }

    private async Task<string> EnsureQueue(string logicalName, string physicalName, bool temporary)
    {
        try
        {
            var existing = await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = physicalName });
            return existing.QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
        }

        var attributes = new Dictionary<string, string>();
        if (!IsTerminal(logicalName) && !temporary)
        {
            var errorUrl = await GetQueueUrl(logicalName + "_error");
            var errorAttributes = await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = errorUrl,
                AttributeNames = [QueueAttributeName.QueueArn],
            });
            if (errorAttributes.Attributes?.TryGetValue(QueueAttributeName.QueueArn, out var arn) == true && !string.IsNullOrEmpty(arn))
            {
                attributes[QueueAttributeName.RedrivePolicy] = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["deadLetterTargetArn"] = arn,
                    ["maxReceiveCount"] = _settings.MaxReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
            }
        }

        try
        {
            var created = await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = physicalName, Attributes = attributes });
            LogContext.Debug?.Log("Created SQS queue {QueueName}", physicalName);
            return created.QueueUrl;
        }
        catch (QueueNameExistsException)
        {
            // Created concurrently by someone else with other attributes: use it as it is.
            var existing = await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = physicalName });
            return existing.QueueUrl;
        }
    }

    /// <summary>A receive endpoint's topology: its queue (created if missing) and its subscriptions; returns the queue URL.</summary>
    public async Task<string> DeployQueue(string logicalName, bool temporary, IReadOnlyCollection<string> subscriptions, CancellationToken cancellationToken)
    {
        var url = await GetQueueUrl(logicalName, temporary, cancellationToken);
        await SetSubscriptions(url, subscriptions, cancellationToken);
        if (subscriptions.Count > 0)
            InvalidateSubscriptions();
        return url;
    }

    public async Task DeleteQueue(string logicalName, CancellationToken cancellationToken = default)
    {
        var physical = PhysicalName(logicalName);
        if (!_queueUrls.TryRemove(physical, out var lazy))
            return;
        try
        {
            var url = await lazy.Value;
            await Client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }, cancellationToken);
        }
        catch (Exception exception)
        {
            LogContext.Warning?.Log(exception, "Deleting temporary SQS queue {QueueName} failed", physical);
        }
    }

    // ----- subscriptions (publish fan-out without SNS) --------------------------------------------------------

    public static string SubscriptionTagKey(string messageUrn) =>
        SubscriptionTagPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageUrn)))[..24];

    /// <summary>
    /// The <c>mt-scope</c> value of queues without a prefix. SQS documents that a tag value may be empty, and accepted the empty
    /// prefix as it was; SQS-compatible servers (local-aws-sqs) refuse an empty value with 400 "Tag values may only contain ...",
    /// so no value is ever empty. ':' is not allowed in a prefix, so no prefix's scope can equal this one.
    /// </summary>
    internal const string NoPrefixScope = ":none";

    /// <summary>The <c>mt-scope</c> value this bus writes and publishes within.</summary>
    private string Scope => _settings.QueueNamePrefix.Length > 0 ? TagValue(_settings.QueueNamePrefix) : NoPrefixScope;

    /// <summary>Whether a queue's <c>mt-scope</c> is this bus's scope; without a prefix, the empty value earlier versions wrote is too.</summary>
    private bool InScope(string queueScope) => queueScope == Scope || (_settings.QueueNamePrefix.Length == 0 && queueScope.Length == 0);

    private static string TagValue(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 256));
        foreach (var c in text)
        {
            if (builder.Length == 256)
                break;
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : '_');
        }
        return builder.ToString();
    }

    /// <summary>
    /// Records on the queue (as tags) the message URNs it subscribes to and the prefix scope it belongs to; removes
    /// subscription tags it no longer has. Publishers read these tags.
    /// </summary>
    public async Task SetSubscriptions(string queueUrl, IReadOnlyCollection<string> messageUrns, CancellationToken cancellationToken)
    {
        if (messageUrns.Count > MaxSubscriptionsPerQueue)
            throw new ConfigurationException(
                $"Amazon SQS: queue {queueUrl} subscribes to {messageUrns.Count} message types; at most {MaxSubscriptionsPerQueue} fit in its tags.");

        var desired = messageUrns.ToDictionary(SubscriptionTagKey, TagValue, StringComparer.Ordinal);
        var current = (await Client.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = queueUrl }, cancellationToken))
            .Tags ?? new Dictionary<string, string>();

        var stale = current.Keys.Where(k => k.StartsWith(SubscriptionTagPrefix, StringComparison.Ordinal) && !desired.ContainsKey(k)).ToList();
        if (stale.Count > 0)
            await Client.UntagQueueAsync(new UntagQueueRequest { QueueUrl = queueUrl, TagKeys = stale }, cancellationToken);

        if (desired.Count == 0 && !current.ContainsKey(ScopeTag))
            return;
        desired[ScopeTag] = Scope;
        var missing = desired.Where(kv => !current.TryGetValue(kv.Key, out var value) || value != kv.Value)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (missing.Count > 0)
            await Client.TagQueueAsync(new TagQueueRequest { QueueUrl = queueUrl, Tags = missing }, cancellationToken);
    }

    /// <summary>Forgets the cached subscriptions so that the next publish reads them again.</summary>
    public void InvalidateSubscriptions() => _subscriptions = null;

    /// <summary>The URLs of the queues subscribed to any of the URNs, each once.</summary>
    public async Task<IReadOnlyList<string>> GetSubscribers(IReadOnlyList<string> messageUrns, CancellationToken cancellationToken)
    {
        var snapshot = await GetSubscriptionSnapshot(cancellationToken);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var urn in messageUrns)
        {
            if (!snapshot.QueuesByTag.TryGetValue(SubscriptionTagKey(urn), out var urls))
                continue;
            foreach (var url in urls)
            {
                if (seen.Add(url))
                    result.Add(url);
            }
        }
        return result;
    }

    private async Task<SubscriptionSnapshot> GetSubscriptionSnapshot(CancellationToken cancellationToken)
    {
        var snapshot = _subscriptions;
        if (snapshot is not null && snapshot.IsFresh(_settings.SubscriptionCacheDuration))
            return snapshot;

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            snapshot = _subscriptions;
            if (snapshot is not null && snapshot.IsFresh(_settings.SubscriptionCacheDuration))
                return snapshot;
            snapshot = await ReadSubscriptions(cancellationToken);
            _subscriptions = snapshot;
            return snapshot;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task<SubscriptionSnapshot> ReadSubscriptions(CancellationToken cancellationToken)
    {
        var taken = DateTime.UtcNow;
        var urls = new List<string>();
        string? next = null;
        do
        {
            var request = new ListQueuesRequest { MaxResults = 1000, NextToken = next };
            if (_settings.QueueNamePrefix.Length > 0)
                request.QueueNamePrefix = _settings.QueueNamePrefix;
            var page = await Client.ListQueuesAsync(request, cancellationToken);
            if (page.QueueUrls is not null)
                urls.AddRange(page.QueueUrls);
            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        } while (next is not null);

        var byTag = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
        var candidates = urls.Where(u => !IsTerminal(u.TrimEnd('/'))).ToList();
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (url, ct) =>
            {
                Dictionary<string, string>? tags;
                try
                {
                    tags = (await Client.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url }, ct)).Tags;
                }
                catch (QueueDoesNotExistException)
                {
                    return; // deleted between the listing and now
                }
                if (tags is null || !tags.TryGetValue(ScopeTag, out var queueScope) || !InScope(queueScope))
                    return;
                foreach (var key in tags.Keys)
                {
                    if (key.StartsWith(SubscriptionTagPrefix, StringComparison.Ordinal))
                        byTag.GetOrAdd(key, _ => []).Add(url);
                }
            });

        return new SubscriptionSnapshot(taken,
            byTag.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Distinct().Order(StringComparer.Ordinal).ToList(),
                StringComparer.Ordinal));
    }

    private sealed record SubscriptionSnapshot(DateTime TakenAt, Dictionary<string, IReadOnlyList<string>> QueuesByTag)
    {
        public bool IsFresh(TimeSpan duration) => DateTime.UtcNow - TakenAt < duration;
    }

    // ----- messages ------------------------------------------------------------------------------------------

    public Task Send(string queueUrl, SendMessageBatchRequestEntry entry, int size)
    {
        var batcher = _senders.GetOrAdd(queueUrl, url => new Batcher<(SendMessageBatchRequestEntry Entry, int Size)>(
            (items, ct) => SendBatch(url, items.Select(x => x.Entry).ToList(), ct), x => x.Size, MaxMessageBytes));
        return batcher.Add((entry, size));
    }

    private async Task<IReadOnlyList<Exception?>> SendBatch(string queueUrl, IReadOnlyList<SendMessageBatchRequestEntry> entries,
        CancellationToken cancellationToken)
    {
        if (entries.Count == 1)
        {
            var e = entries[0];
            await Client.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = queueUrl,
                MessageBody = e.MessageBody,
                MessageAttributes = e.MessageAttributes,
                DelaySeconds = e.DelaySeconds,
                MessageGroupId = e.MessageGroupId,
                MessageDeduplicationId = e.MessageDeduplicationId,
            }, cancellationToken);
            return [null];
        }

        for (var i = 0; i < entries.Count; i++)
            entries[i].Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await Client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queueUrl, Entries = entries.ToList() },
            cancellationToken);
        return MapFailures(entries.Count, response.Failed?.Select(f => (f.Id, f.Code, f.Message)), queueUrl, "SendMessageBatch");
    }

    public Task Delete(string queueUrl, string receiptHandle)
    {
        var batcher = _deleters.GetOrAdd(queueUrl, url => new Batcher<string>((handles, ct) => DeleteBatch(url, handles, ct)));
        return batcher.Add(receiptHandle);
    }

    private async Task<IReadOnlyList<Exception?>> DeleteBatch(string queueUrl, IReadOnlyList<string> handles, CancellationToken cancellationToken)
    {
        var response = await Client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = handles.Select((h, i) => new DeleteMessageBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), h))
                .ToList(),
        }, cancellationToken);
        return MapFailures(handles.Count, response.Failed?.Select(f => (f.Id, f.Code, f.Message)), queueUrl, "DeleteMessageBatch");
    }

    /// <summary>Makes a received message visible again at once (abandon).</summary>
    public Task Release(string queueUrl, string receiptHandle)
    {
        var batcher = _releasers.GetOrAdd(queueUrl, url => new Batcher<string>((handles, ct) => ChangeVisibilityBatch(url, handles, 0, ct)));
        return batcher.Add(receiptHandle);
    }

    public async Task<IReadOnlyList<Exception?>> ChangeVisibilityBatch(string queueUrl, IReadOnlyList<string> handles, int seconds,
        CancellationToken cancellationToken)
    {
        var response = await Client.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = handles.Select((h, i) => new ChangeMessageVisibilityBatchRequestEntry(
                i.ToString(System.Globalization.CultureInfo.InvariantCulture), h)
            { VisibilityTimeout = seconds }).ToList(),
        }, cancellationToken);
        return MapFailures(handles.Count, response.Failed?.Select(f => (f.Id, f.Code, f.Message)), queueUrl, "ChangeMessageVisibilityBatch");
    }

    public async Task<List<Message>> Receive(string queueUrl, int maxMessages, int waitSeconds, int visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var response = await Client.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = maxMessages,
            WaitTimeSeconds = waitSeconds,
            VisibilityTimeout = visibilityTimeout,
            MessageAttributeNames = ["All"],
            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
        }, cancellationToken);
        return response.Messages ?? [];
    }

    private static IReadOnlyList<Exception?> MapFailures(int count, IEnumerable<(string Id, string Code, string Message)>? failures, string queueUrl,
        string operation)
    {
        var results = new Exception?[count];
        if (failures is null)
            return results;
        foreach (var (id, code, message) in failures)
        {
            if (int.TryParse(id, out var index) && index >= 0 && index < count)
                results[index] = new AmazonSQSException($"{operation} on {queueUrl} failed for entry {id}: {code} {message}") { ErrorCode = code };
        }
        return results;
    }

    protected override async Task StopAgent(StopContext context)
    {
        foreach (var batcher in _senders.Values)
            await batcher.DisposeAsync();
        foreach (var batcher in _deleters.Values)
            await batcher.DisposeAsync();
        foreach (var batcher in _releasers.Values)
            await batcher.DisposeAsync();
        _senders.Clear();
        _deleters.Clear();
        _releasers.Clear();
        await base.StopAgent(context);
    }
}
