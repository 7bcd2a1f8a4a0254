using MassTransit;
using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

/// <summary>
/// Memory follows bytes in flight, not messages (issue 11, item 5): <c>Persisters:Batch:InFlightByteLimit</c> bounds the
/// message bodies the persisters of a process handle at once, whatever the shape of the burst, and holds messages back
/// without losing any.
/// </summary>
public sealed class When_a_burst_exceeds_the_in_flight_byte_limit
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task Batches_together_never_hold_more_bytes_than_the_limit_and_every_event_is_stored()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.Batch.InFlightByteLimit = Limit);
        var inFlight = new EnvelopeBytes();
        h.Harness.Bus.ConnectConsumeObserver(inFlight);
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        // 40 envelopes of 40 events, each about a fifth of the limit: without the limit they would all fit one batch.
        var envelopes = Enumerable.Range(0, 40)
            .Select(i => new EvaluationEventBatch { Events = Enumerable.Range(0, 40).Select(j => Events.Evaluation(now - 10, user: $"u{i}-{j}")).ToList() })
            .ToArray();

        await h.PublishAsync(envelopes);

        Assert.Equal(1600, (await h.EvaluationRowsAsync()).Count);
        Assert.Equal(80, inFlight.Count); // each envelope, once for each of the two evaluation persisters
        Assert.InRange(inFlight.LargestMessage, Limit / 8, Limit / 2);
        Assert.InRange(inFlight.MaxInFlight, inFlight.LargestMessage, Limit);
    }

    [Fact]
    public async Task A_message_larger_than_the_whole_limit_goes_through_alone()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.Batch.InFlightByteLimit = Limit);
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var big = new EvaluationEventBatch { Events = Enumerable.Range(0, 600).Select(j => Events.Evaluation(now - 10, user: $"big-{j}")).ToList() };

        await h.PublishAsync(big, new EvaluationEventBatch { Events = [Events.Evaluation(now - 10, user: "small")] });

        Assert.Equal(601, (await h.EvaluationRowsAsync()).Count);
    }

    /// <summary>
    /// The body bytes of the envelopes past the limit and not yet done, across both persisters: a message is consumed from
    /// when it joins a batch until its batch is written, and it is admitted by the limit before that.
    /// </summary>
    private sealed class EnvelopeBytes : IConsumeObserver
    {
        private long _inFlight;

        public long MaxInFlight { get; private set; }
        public long LargestMessage { get; private set; }
        public int Count { get; private set; }

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is not EvaluationEventBatch) return Task.CompletedTask;
            var bytes = context.ReceiveContext.Body.Length ?? 0;
            lock (this)
            {
                LargestMessage = Math.Max(LargestMessage, bytes);
                _inFlight += bytes;
                MaxInFlight = Math.Max(MaxInFlight, _inFlight);
                Count++;
            }
            return Task.CompletedTask;
        }

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Done(context);

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Done(context);

        private Task Done<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is not EvaluationEventBatch) return Task.CompletedTask;
            lock (this) _inFlight -= context.ReceiveContext.Body.Length ?? 0;
            return Task.CompletedTask;
        }
    }
}
