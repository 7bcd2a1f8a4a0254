using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Message operations on queues by URL: send, delete and release (visibility 0) collected per queue into SQS batch calls
/// (see <see cref="Batcher{TItem}"/>), visibility changes of many messages in one call, and receive.
/// </summary>
/// <param name="client">The SQS client, asked for on each call (created on first use).</param>
internal sealed class SqsMessages(Func<IAmazonSQS> client) : IAsyncDisposable
{
    /// <summary>SQS limit for one message: body plus message attributes, in bytes (256 KiB).</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private readonly ConcurrentDictionary<string, Batcher<(SendMessageBatchRequestEntry Entry, int Size)>> _senders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Batcher<string>> _deleters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Batcher<string>> _releasers = new(StringComparer.Ordinal);

    private IAmazonSQS Client => client();

    /// <summary>Sends one message, batched with others to the same queue (at most 10 entries and <see cref="MaxMessageBytes"/> a batch).</summary>
    /// <param name="size">The message's size in bytes (body plus attributes).</param>
    /// <exception cref="AmazonSQSException">SQS refused this entry or the call.</exception>
    public Task Send(string queueUrl, SendMessageBatchRequestEntry entry, int size)
    {
        var batcher = _senders.GetOrAdd(queueUrl, url => new Batcher<(SendMessageBatchRequestEntry Entry, int Size)>(
            (items, ct) => SendBatch(url, items.Select(x => x.Entry).ToList(), ct), x => x.Size, MaxMessageBytes));
        return batcher.Add((entry, size));
    }

    /// <summary>Deletes a received message (settles it), batched with others from the same queue.</summary>
    public Task Delete(string queueUrl, string receiptHandle)
    {
        var batcher = _deleters.GetOrAdd(queueUrl, url => new Batcher<string>((handles, ct) => DeleteBatch(url, handles, ct)));
        return batcher.Add(receiptHandle);
    }

    /// <summary>Makes a received message visible again at once (abandon).</summary>
    public Task Release(string queueUrl, string receiptHandle)
    {
        var batcher = _releasers.GetOrAdd(queueUrl, url => new Batcher<string>((handles, ct) => ChangeVisibilityBatch(url, handles, 0, ct)));
        return batcher.Add(receiptHandle);
    }

    /// <summary>Sets the visibility timeout of up to 10 received messages to <paramref name="seconds"/>.</summary>
    /// <returns>One entry per handle, in order: null, or the <see cref="AmazonSQSException"/> SQS gave for it.</returns>
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

    /// <summary>One ReceiveMessage call (long poll of <paramref name="waitSeconds"/>), with all message attributes and the receive count.</summary>
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

    /// <summary>Flushes what the batchers hold and stops them.</summary>
    public async ValueTask DisposeAsync()
    {
        IEnumerable<IAsyncDisposable> batchers = [.. _senders.Values, .. _deleters.Values, .. _releasers.Values];
        foreach (var batcher in batchers)
            await batcher.DisposeAsync();
        _senders.Clear();
        _deleters.Clear();
        _releasers.Clear();
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
}
