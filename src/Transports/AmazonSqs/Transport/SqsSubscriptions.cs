using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Publish fan-out without SNS: a queue records the message URNs it subscribes to, and the prefix scope it belongs to, as
/// queue tags; a publisher lists the queues in its scope and reads their tags (cached for
/// <see cref="AmazonSqsHostSettings.SubscriptionCacheDuration"/>).
/// </summary>
/// <param name="settings">The host settings (queue name prefix as scope, subscription cache duration).</param>
/// <param name="client">The SQS client, asked for on each call (created on first use).</param>
internal sealed class SqsSubscriptions(AmazonSqsHostSettings settings, Func<IAmazonSQS> client)
{
    /// <summary>SQS allows at most 50 tags per queue; one is the scope tag.</summary>
    public const int MaxSubscriptionsPerQueue = 49;

    /// <summary>
    /// The <c>mt-scope</c> value of queues without a prefix. SQS documents that a tag value may be empty, and accepted the empty
    /// prefix as it was; SQS-compatible servers (local-aws-sqs) refuse an empty value with 400 "Tag values may only contain ...",
    /// so no value is ever empty. ':' is not allowed in a prefix, so no prefix's scope can equal this one.
    /// </summary>
    private const string NoPrefixScope = ":none";

    private const string SubscriptionTagPrefix = "mt-sub:";
    private const string ScopeTag = "mt-scope";

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile SubscriptionSnapshot? _snapshot;

    private IAmazonSQS Client => client();

    /// <summary>The <c>mt-scope</c> value this bus writes and publishes within.</summary>
    private string Scope => settings.QueueNamePrefix.Length > 0 ? TagValue(settings.QueueNamePrefix) : NoPrefixScope;

    /// <summary>The tag key of a subscription to <paramref name="messageUrn"/>: <c>mt-sub:</c> and 24 hex digits of the URN's SHA-256.</summary>
    public static string SubscriptionTagKey(string messageUrn) =>
        SubscriptionTagPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageUrn)))[..24];

    /// <summary>
    /// Records on the queue (as tags) the message URNs it subscribes to and the prefix scope it belongs to; removes
    /// subscription tags it no longer has. Publishers read these tags.
    /// </summary>
    /// <exception cref="ConfigurationException">More than <see cref="MaxSubscriptionsPerQueue"/> URNs.</exception>
    /// <exception cref="AmazonSQSException">SQS refused or cannot be reached.</exception>
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
    public void Invalidate() => _snapshot = null;

    /// <summary>The URLs of the queues in this bus's scope subscribed to any of the URNs, each once, in URN order.</summary>
    public async Task<IReadOnlyList<string>> GetSubscribers(IReadOnlyList<string> messageUrns, CancellationToken cancellationToken)
    {
        var snapshot = await GetSnapshot(cancellationToken);
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

    /// <summary>Whether a queue's <c>mt-scope</c> is this bus's scope; without a prefix, the empty value earlier versions wrote is too.</summary>
    private bool InScope(string queueScope) => queueScope == Scope || (settings.QueueNamePrefix.Length == 0 && queueScope.Length == 0);

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

    private async Task<SubscriptionSnapshot> GetSnapshot(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.IsFresh(settings.SubscriptionCacheDuration))
            return snapshot;

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && snapshot.IsFresh(settings.SubscriptionCacheDuration))
                return snapshot;
            snapshot = await ReadSnapshot(cancellationToken);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task<SubscriptionSnapshot> ReadSnapshot(CancellationToken cancellationToken)
    {
        var taken = DateTime.UtcNow;
        var urls = new List<string>();
        string? next = null;
        do
        {
            var request = new ListQueuesRequest { MaxResults = 1000, NextToken = next };
            if (settings.QueueNamePrefix.Length > 0)
                request.QueueNamePrefix = settings.QueueNamePrefix;
            var page = await Client.ListQueuesAsync(request, cancellationToken);
            if (page.QueueUrls is not null)
                urls.AddRange(page.QueueUrls);
            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        } while (next is not null);

        var byTag = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
        var candidates = urls.Where(u => !SqsQueues.IsTerminal(u.TrimEnd('/'))).ToList();
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
}
