using System.Threading.Channels;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Collects single operations (send, delete, release) for one queue and flushes them as SQS batch calls of up to
/// ten entries (and at most <c>maxBatchBytes</c>). No timer: a batch forms from whatever is waiting while earlier
/// flushes are on the wire, so a lone operation goes out at once and a burst goes out ten at a time.
/// </summary>
internal sealed class Batcher<TItem> : IAsyncDisposable
{
    public const int MaxEntries = 10;

    private readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> _flush;
    private readonly Func<TItem, int> _sizeOf;
    private readonly int _maxBatchBytes;
    private readonly SemaphoreSlim _inFlight;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _loop;

    public Batcher(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> flush, Func<TItem, int>? sizeOf = null,
        int maxBatchBytes = int.MaxValue, int concurrentFlushes = 4)
    {
        _flush = flush;
        _sizeOf = sizeOf ?? (_ => 0);
        _maxBatchBytes = maxBatchBytes;
        _inFlight = new SemaphoreSlim(concurrentFlushes);
        _loop = Task.Run(Loop);
    }

    public Task Add(TItem item)
    {
        var pending = new Pending(item, _sizeOf(item), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_channel.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(Batcher<TItem>), "The SQS transport is stopping.");
        return pending.Done.Task;
    }

    private async Task Loop()
    {
        var reader = _channel.Reader;
        var flushes = new List<Task>();
        try
        {
            while (await reader.WaitToReadAsync())
            {
                await _inFlight.WaitAsync();
                var batch = new List<Pending>(MaxEntries);
                var bytes = 0;
                while (batch.Count < MaxEntries && reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Size <= _maxBatchBytes))
                {
                    reader.TryRead(out next);
                    batch.Add(next!);
                    bytes += next!.Size;
                }
                if (batch.Count == 0)
                {
                    _inFlight.Release();
                    continue;
                }
                flushes.RemoveAll(t => t.IsCompleted);
                flushes.Add(Flush(batch));
            }
        }
        finally
        {
            await Task.WhenAll(flushes);
        }
    }

    private async Task Flush(List<Pending> batch)
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
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop;
        _disposed.Dispose();
        _inFlight.Dispose();
    }

    private sealed record Pending(TItem Item, int Size, TaskCompletionSource Done);
}
