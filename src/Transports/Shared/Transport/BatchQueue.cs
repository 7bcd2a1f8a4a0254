using System.Threading.Channels;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// Collects items written one at a time (<see cref="TryWrite"/>) and flushes them in batches, at most
/// <c>concurrentFlushes</c> at once. No timer: a batch forms from whatever is waiting while earlier flushes are on the
/// wire, so a lone item goes out at once and a burst goes out in as few batches as the broker's limits allow. The
/// derived class makes a batch, fills it from the waiting items, and flushes it.
/// </summary>
/// <typeparam name="TPending">A waiting item with the completion its writer awaits.</typeparam>
/// <typeparam name="TBatch">What the broker needs besides the items to send a batch (an SDK batch; an empty struct where the items are all).</typeparam>
internal abstract class BatchQueue<TPending, TBatch> : IAsyncDisposable
{
    private readonly Channel<TPending> _channel = Channel.CreateUnbounded<TPending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _flushSlots;
    private readonly int _batchCapacity;
    private Task _loop = Task.CompletedTask;

    /// <param name="concurrentFlushes">How many batches may be on the wire at once.</param>
    /// <param name="batchCapacity">The initial capacity of a batch's item list (its most items where the broker has a count limit).</param>
    protected BatchQueue(int concurrentFlushes, int batchCapacity = 0)
    {
        _flushSlots = new SemaphoreSlim(concurrentFlushes);
        _batchCapacity = batchCapacity;
    }

    /// <summary>Starts flushing; the derived constructor calls it last, once its own fields are set.</summary>
    protected void StartFlushing() => _loop = Task.Run(Loop);

    /// <summary>Queues <paramref name="pending"/> for the next batch; false once the queue is disposing.</summary>
    protected bool TryWrite(TPending pending) => _channel.Writer.TryWrite(pending);

    private async Task Loop()
    {
        var reader = _channel.Reader;
        var flushes = new List<Task>();
        try
        {
            while (await reader.WaitToReadAsync())
            {
                await _flushSlots.WaitAsync();
                TBatch batch;
                try
                {
                    batch = await CreateBatch();
                }
                catch (Exception exception)
                {
                    // No batch can be made (the link cannot be opened): fail what is waiting now.
                    _flushSlots.Release();
                    while (reader.TryRead(out var failed))
                        Fail(failed, exception);
                    continue;
                }
                var taken = new List<TPending>(_batchCapacity);
                Fill(batch, reader, taken);
                if (taken.Count == 0)
                {
                    Discard(batch);
                    _flushSlots.Release();
                    continue;
                }
                flushes.RemoveAll(t => t.IsCompleted);
                flushes.Add(Flush(batch, taken));
            }
        }
        finally
        {
            await Task.WhenAll(flushes);
        }
    }

    /// <summary>An empty batch (completes synchronously where making one needs no call).</summary>
    protected abstract ValueTask<TBatch> CreateBatch();

    /// <summary>
    /// Moves waiting items from <paramref name="reader"/> into <paramref name="batch"/> and <paramref name="taken"/> while
    /// they fit (completing at once those that never can).
    /// </summary>
    protected abstract void Fill(TBatch batch, ChannelReader<TPending> reader, List<TPending> taken);

    /// <summary>Releases a batch that took no item.</summary>
    protected virtual void Discard(TBatch batch)
    {
    }

    /// <summary>Sends <paramref name="batch"/> of <paramref name="taken"/> and completes each item; never throws; calls <see cref="FlushEnded"/> last.</summary>
    protected abstract Task Flush(TBatch batch, List<TPending> taken);

    /// <summary>Frees the flush slot a batch held; a <see cref="Flush"/> calls it when it ends, however it ends.</summary>
    protected void FlushEnded() => _flushSlots.Release();

    /// <summary>Completes <paramref name="pending"/> with <paramref name="exception"/>.</summary>
    protected abstract void Fail(TPending pending, Exception exception);

    /// <summary>Stops taking items, waits for the waiting ones to be flushed, then releases the derived class's resources.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop;
        await DisposeResources();
        _flushSlots.Dispose();
    }

    /// <summary>Releases what the derived class holds (its sender, its token source), after the last flush.</summary>
    protected abstract ValueTask DisposeResources();
}
