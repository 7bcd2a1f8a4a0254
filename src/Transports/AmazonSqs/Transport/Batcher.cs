using System.Threading.Channels;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Collects single operations (send, delete, release) for one queue and flushes them as SQS batch calls of up to
/// ten entries (and at most <c>maxBatchBytes</c>). No timer: a batch forms from whatever is waiting while earlier
/// flushes are on the wire, so a lone operation goes out at once and a burst goes out ten at a time.
/// </summary>
internal sealed class Batcher<TItem> : BatchQueue<Batcher<TItem>.Pending, ValueTuple>
{
    public const int MaxEntries = 10;

    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> _flush;
    private readonly Func<TItem, int> _sizeOf;
    private readonly int _maxBatchBytes;
    private readonly CancellationTokenSource _disposed = new();

    public Batcher(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> flush, Func<TItem, int>? sizeOf = null,
        int maxBatchBytes = int.MaxValue, int concurrentFlushes = 4)
        : base(concurrentFlushes, MaxEntries)
    {
        _flush = flush;
        _sizeOf = sizeOf ?? (_ => 0);
        _maxBatchBytes = maxBatchBytes;
        StartFlushing();
    }

    public Task Add(TItem item)
    {
        var pending = new Pending(item, _sizeOf(item), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!TryWrite(pending))
            throw new ObjectDisposedException(nameof(Batcher<TItem>), "The SQS transport is stopping.");
        return pending.Done.Task;
    }

    protected override ValueTask<ValueTuple> CreateBatch() => default;

    protected override void Fill(ValueTuple none, ChannelReader<Pending> reader, List<Pending> batch)
    {
        var bytes = 0;
        while (batch.Count < MaxEntries && reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Size <= _maxBatchBytes))
        {
            reader.TryRead(out next);
            batch.Add(next!);
            bytes += next!.Size;
        }
    }

    protected override async Task Flush(ValueTuple none, List<Pending> batch)
    {
        try
        {
            var results = await _flush(batch.Select(p => p.Item).ToList(), _disposed.Token);
            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i] is { } error)
                    batch[i].Done.TrySetException(error);
                else
                    batch[i].Done.TrySetResult();
            }
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
                pending.Done.TrySetException(exception);
        }
        finally
        {
            FlushEnded();
        }
    }

    protected override void Fail(Pending pending, Exception exception) => pending.Done.TrySetException(exception);

    protected override ValueTask DisposeResources()
    {
        _disposed.Dispose();
        return ValueTask.CompletedTask;
    }

    internal sealed record Pending(TItem Item, int Size, TaskCompletionSource Done);
}
