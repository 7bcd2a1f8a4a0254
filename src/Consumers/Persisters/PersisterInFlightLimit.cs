using System.Threading.RateLimiting;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Bounds the bytes of persister messages being handled at once in this process, shared by the four persister endpoints
/// (<c>Persisters:Batch:InFlightByteLimit</c>). A message waits here, as the bytes the broker delivered and nothing more,
/// until its body fits; it is deserialized, batched and written only after. So the memory of a burst follows its size in
/// bytes, not its shape: a hundred envelopes of a hundred events weigh what ten thousand single events do. A message larger
/// than the whole limit goes through alone. Waiting messages are served in arrival order.
/// </summary>
/// <remarks>
/// Sits on each persister endpoint's receive pipe, before MassTransit's deserializer, as a filter on
/// <see cref="ReceiveContext"/>; the bytes are released when the message's batch has been written (or has failed).
/// </remarks>
public sealed class PersisterInFlightLimit : IFilter<ReceiveContext>, IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly int _limit;

    public PersisterInFlightLimit(IOptions<PersisterOptions> options)
    {
        _limit = options.Value.Batch.InFlightByteLimit;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _limit,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Bytes admitted and not yet released.</summary>
    public long InFlightBytes => _limit - (_limiter.GetStatistics()?.CurrentAvailablePermits ?? _limit);

    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        var bytes = (int)Math.Clamp(context.Body.Length ?? context.Body.GetBytes().LongLength, 1, _limit);
        using var lease = await _limiter.AcquireAsync(bytes, context.CancellationToken);
        if (!lease.IsAcquired) throw new InvalidOperationException("The persister in-flight byte limit refused a message (its wait queue is full).");
        await next.Send(context);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("persisterInFlightLimit");
        scope.Add("bytes", _limit);
    }

    public void Dispose() => _limiter.Dispose();
}
