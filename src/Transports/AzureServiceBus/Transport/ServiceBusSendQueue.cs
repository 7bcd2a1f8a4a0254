using System.Text;
using System.Threading.Channels;
using Azure.Messaging.ServiceBus;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Sends to one entity over one sender link, in <see cref="ServiceBusMessageBatch"/>es. No timer: a batch forms from
/// whatever is waiting while earlier batches are on the wire, so a lone message goes out at once and a burst goes out as
/// few batches as the entity's size limit allows. A message that does not fit an empty batch is refused at once with
/// <see cref="ServiceBusMessageTooLargeException"/>.
/// </summary>
internal sealed class ServiceBusSendQueue : BatchQueue<ServiceBusSendQueue.Pending, ServiceBusMessageBatch>
{
    private const int ConcurrentBatches = 4;

    private readonly ServiceBusSender _sender;
    private readonly Uri _address;

    public ServiceBusSendQueue(ServiceBusSender sender, Uri address)
        : base(ConcurrentBatches)
    {
        _sender = sender;
        _address = address;
        StartFlushing();
    }

    public string EntityPath => _sender.EntityPath;

    /// <summary>Queues the message for the next batch; completes when Service Bus has accepted it.</summary>
    public Task Send(ServiceBusMessage message, CancellationToken cancellationToken)
    {
        var pending = new Pending(message, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!TryWrite(pending))
            throw new ObjectDisposedException(nameof(ServiceBusSendQueue), "The Azure Service Bus transport is stopping.");
        return pending.Done.Task;
    }

    /// <summary>Throws <see cref="ServiceBusMessageTooLargeException"/> when the message would not fit an empty batch (opens the link if needed).</summary>
    public async Task EnsureFits(ServiceBusMessage message, CancellationToken cancellationToken)
    {
        using var batch = await _sender.CreateMessageBatchAsync(cancellationToken);
        if (!batch.TryAddMessage(message))
            throw TooLarge(message, batch.MaxSizeInBytes);
    }

    /// <summary>Opens the sender link: fails with MessagingEntityNotFound when the entity does not exist.</summary>
    public async Task<long> Open(CancellationToken cancellationToken)
    {
        using var batch = await _sender.CreateMessageBatchAsync(cancellationToken);
        return batch.MaxSizeInBytes;
    }

    public Task<long> Schedule(ServiceBusMessage message, DateTimeOffset enqueueTime, CancellationToken cancellationToken) =>
        _sender.ScheduleMessageAsync(message, enqueueTime, cancellationToken);

    public Task CancelScheduled(long sequenceNumber, CancellationToken cancellationToken) =>
        _sender.CancelScheduledMessageAsync(sequenceNumber, cancellationToken);

    protected override ValueTask<ServiceBusMessageBatch> CreateBatch() => _sender.CreateMessageBatchAsync();

    protected override void Fill(ServiceBusMessageBatch batch, ChannelReader<Pending> reader, List<Pending> taken)
    {
        while (reader.TryPeek(out var next))
        {
            if (next.CancellationToken.IsCancellationRequested)
            {
                reader.TryRead(out _);
                next.Done.TrySetCanceled(next.CancellationToken);
                continue;
            }
            if (batch.TryAddMessage(next.Message))
            {
                reader.TryRead(out _);
                taken.Add(next);
                continue;
            }
            if (batch.Count == 0)
            {
                reader.TryRead(out _);
                next.Done.TrySetException(TooLarge(next.Message, batch.MaxSizeInBytes));
                continue;
            }
            break;
        }
    }

    protected override void Discard(ServiceBusMessageBatch batch) => batch.Dispose();

    protected override async Task Flush(ServiceBusMessageBatch batch, List<Pending> taken)
    {
        try
        {
            await _sender.SendMessagesAsync(batch);
            foreach (var pending in taken)
                pending.Done.TrySetResult();
        }
        catch (Exception exception)
        {
            foreach (var pending in taken)
                pending.Done.TrySetException(exception);
        }
        finally
        {
            batch.Dispose();
            FlushEnded();
        }
    }

    private ServiceBusMessageTooLargeException TooLarge(ServiceBusMessage message, long limit) =>
        new(_address, _sender.EntityPath, EstimateSize(message), limit);

    /// <summary>Body, application properties and message ids, plus a fixed allowance for AMQP framing.</summary>
    public static long EstimateSize(ServiceBusMessage message)
    {
        long size = message.Body.ToMemory().Length + 64;
        foreach (var (key, value) in message.ApplicationProperties)
            size += Encoding.UTF8.GetByteCount(key) + 2 + value switch
            {
                string s => Encoding.UTF8.GetByteCount(s) + 2,
                null => 1,
                _ => 9,
            };
        size += (message.MessageId?.Length ?? 0) + (message.CorrelationId?.Length ?? 0) + (message.ContentType?.Length ?? 0) + (message.Subject?.Length ?? 0);
        return size;
    }

    protected override void Fail(Pending pending, Exception exception) => pending.Done.TrySetException(exception);

    protected override ValueTask DisposeResources() => _sender.DisposeAsync();

    internal sealed record Pending(ServiceBusMessage Message, TaskCompletionSource Done, CancellationToken CancellationToken);
}
