using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.Conformance.Messages;
using Persisters.Transports.Conformance.Tests.Support;
using Persisters.Transports.Conformance.Tests.Transports;
using Xunit.Abstractions;

namespace Persisters.Transports.Conformance.Tests;

/// <summary>
/// What every transport must do. A transport gets these tests by one subclass
/// (<c>public sealed class XConformance(ITestOutputHelper o) : TransportConformance&lt;XTransportUnderTest&gt;(o);</c>).
/// Each test runs in a fresh namespace of the transport (<see cref="ITransportUnderTest.InitializeAsync" />) with unique
/// queue names.
/// </summary>
public abstract class TransportConformance<TTransport>(ITestOutputHelper output) : IAsyncLifetime
    where TTransport : ITransportUnderTest, new()
{
    protected static readonly TimeSpan Arrival = TimeSpan.FromSeconds(15);

    /// <summary>How long we keep watching for a duplicate or a message that must not arrive.</summary>
    protected static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private readonly List<IAsyncDisposable> _cleanup = [];

    protected TTransport Transport { get; } = new();
    protected ITestOutputHelper Output { get; } = output;

    public Task InitializeAsync() => Transport.InitializeAsync();

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                await _cleanup[i].DisposeAsync();
            }
            catch (Exception e)
            {
                Output.WriteLine($"cleanup: {e.GetType().Name}: {e.Message}");
            }
        }
        await Transport.DisposeAsync();
    }

    protected static string NewQueue(string purpose) => $"cf-{purpose}-{Guid.NewGuid().ToString("N")[..10]}";

    protected async Task<BusUnderTest> StartBusAsync(Action<IBusRegistrationContext, IBusFactoryConfigurator>? configure = null, bool withScheduler = false)
    {
        var bus = await BusUnderTest.StartAsync(Transport, Output, configure, withScheduler);
        _cleanup.Add(bus);
        return bus;
    }

    protected T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    // 1 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task Send_to_a_queue_is_consumed_exactly_once()
    {
        var queue = NewQueue("send");
        var other = NewQueue("send-other");
        var deliveries = new Deliveries();
        var bus = await StartBusAsync((_, cfg) =>
        {
            cfg.ReceiveEndpoint(queue, e => e.Handler<Ping>(c => { deliveries.Record(queue, c); return Task.CompletedTask; }));
            cfg.ReceiveEndpoint(other, e => e.Handler<Ping>(c => { deliveries.Record(other, c); return Task.CompletedTask; }));
        });

        var pings = Enumerable.Range(0, 5).Select(_ => new Ping(Guid.NewGuid())).ToArray();
        var endpoint = await bus.SendEndpoint(queue);
        foreach (var ping in pings) await endpoint.Send(ping);

        Assert.True(await deliveries.WaitUntil(d => d.Count >= pings.Length, Arrival), $"{deliveries.All.Count} of {pings.Length} consumed");
        await Task.Delay(Settle);

        var all = deliveries.All;
        Assert.All(all, d => Assert.Equal(queue, d.Endpoint)); // nothing at the other queue
        Assert.Equal(pings.Select(p => p.Id).Order(), all.Select(d => d.As<Ping>().Id).Order()); // each once, no duplicate
        Assert.Equal(pings.Length, all.Select(d => d.MessageId).Distinct().Count());
    }

    // 2 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task Publish_fans_out_one_copy_to_each_subscribed_endpoint_and_none_to_others()
    {
        var first = NewQueue("fan-a");
        var second = NewQueue("fan-b");
        var unsubscribed = NewQueue("fan-none");
        var deliveries = new Deliveries();
        var bus = await StartBusAsync((_, cfg) =>
        {
            cfg.ReceiveEndpoint(first, e => e.Handler<Announcement>(c => { deliveries.Record(first, c); return Task.CompletedTask; }));
            cfg.ReceiveEndpoint(second, e => e.Handler<Announcement>(c => { deliveries.Record(second, c); return Task.CompletedTask; }));
            // Could consume an Announcement, but is not subscribed to the published type.
            cfg.ReceiveEndpoint(unsubscribed, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Handler<Announcement>(c => { deliveries.Record(unsubscribed, c); return Task.CompletedTask; });
            });
        });

        var published = new Announcement(Guid.NewGuid(), "publish");
        await bus.Bus.Publish(published);
        Assert.True(await deliveries.WaitUntil(d => d.Count(x => x.Endpoint == first) >= 1 && d.Count(x => x.Endpoint == second) >= 1, Arrival),
            $"deliveries: {string.Join(", ", deliveries.All.Select(d => d.Endpoint))}");

        // The unsubscribed endpoint works: a message sent to it directly arrives (and is the only one it gets).
        var direct = new Announcement(Guid.NewGuid(), "send");
        await (await bus.SendEndpoint(unsubscribed)).Send(direct);
        Assert.True(await deliveries.WaitUntil(d => d.Any(x => x.Endpoint == unsubscribed), Arrival), "the direct send to the unsubscribed endpoint did not arrive");
        await Task.Delay(Settle);

        Assert.Equal(published.Id, Assert.Single(deliveries.At(first)).As<Announcement>().Id);
        Assert.Equal(published.Id, Assert.Single(deliveries.At(second)).As<Announcement>().Id);
        Assert.Equal(direct.Id, Assert.Single(deliveries.At(unsubscribed)).As<Announcement>().Id);
    }

    // 3 ---------------------------------------------------------------------------------------------------------------
    public sealed class BatchRecorder(List<int[]> batches) : IConsumer<Batch<BatchItem>>
    {
        public Task Consume(ConsumeContext<Batch<BatchItem>> context)
        {
            lock (batches) batches.Add(context.Message.Select(m => m.Message.Index).ToArray());
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Batch_consumer_gets_every_message_exactly_once_in_batches_of_at_most_the_limit()
    {
        const int count = 25, limit = 10;
        var queue = NewQueue("batch");
        var batches = new List<int[]>();
        var bus = await StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
            e.Consumer(() => new BatchRecorder(batches), c => c.Options<BatchOptions>(o => o
                .SetMessageLimit(limit).SetTimeLimit(TimeSpan.FromMilliseconds(500)).SetConcurrencyLimit(1)))));

        var items = Enumerable.Range(0, count).Select(i => new BatchItem(Guid.NewGuid(), i)).ToArray();
        await (await bus.SendEndpoint(queue)).SendBatch(items);

        int Consumed() { lock (batches) return batches.Sum(b => b.Length); }
        Assert.True(await Wait.Until(() => Consumed() >= count, Arrival), $"{Consumed()} of {count} consumed");
        await Task.Delay(Settle);

        int[][] seen;
        lock (batches) seen = batches.ToArray();
        Output.WriteLine($"{Transport.Name}: batch sizes {string.Join(",", seen.Select(b => b.Length))}");
        Assert.Equal(Enumerable.Range(0, count), seen.SelectMany(b => b).Order()); // every message exactly once
        Assert.All(seen, b => Assert.InRange(b.Length, 1, limit));
        Assert.True(seen.Length < count, "messages were never grouped: one batch per message");
    }

    // 4 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task A_consumer_that_always_throws_is_retried_then_the_message_lands_in_the_error_queue_with_fault_headers()
    {
        var queue = NewQueue("retry");
        var attempts = 0;
        var poison = new Poison(Guid.NewGuid());
        var bus = await StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
        {
            e.UseMessageRetry(r => r.Immediate(2));
            e.Handler<Poison>(c =>
            {
                Interlocked.Increment(ref attempts);
                throw new PoisonException($"poison {c.Message.Id} refused");
            });
        }));

        var sent = Guid.NewGuid();
        await (await bus.SendEndpoint(queue)).Send(poison, c => c.MessageId = sent);

        // A raw reader of <queue>_error: not subscribed to anything, it only takes what is in that queue.
        var errors = new Deliveries();
        var handle = bus.Connector.ConnectReceiveEndpoint($"{queue}_error", (_, e) =>
        {
            e.ConfigureConsumeTopology = false;
            e.Handler<Poison>(c => { errors.Record("error", c); return Task.CompletedTask; });
        });
        await handle.Ready;

        Assert.True(await errors.WaitUntil(d => d.Count >= 1, Arrival), $"nothing in {queue}_error after {attempts} attempts");
        await Task.Delay(Settle);

        Assert.Equal(3, Volatile.Read(ref attempts)); // 1 + 2 immediate retries
        var error = Assert.Single(errors.All);
        Assert.Equal(sent, error.MessageId);
        Assert.Equal(poison.Id, error.As<Poison>().Id);
        Output.WriteLine(string.Join("\n", error.Headers.Select(h => $"{h.Key}: {h.Value}")));
        Assert.Equal(typeof(PoisonException).FullName, Header(error, "MT-Fault-ExceptionType"));
        Assert.Equal($"poison {poison.Id} refused", Header(error, "MT-Fault-Message"));
        Assert.Equal("fault", Header(error, "MT-Reason"));
        Assert.Equal("2", Header(error, "MT-Fault-RetryCount"));
    }

    private static string? Header(Delivery delivery, string name) =>
        delivery.Headers.TryGetValue(name, out var value) ? value?.ToString() : null;

    // 6 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task A_stopped_dynamic_endpoint_consumes_nothing_and_gets_the_messages_after_reconnecting_with_the_same_name()
    {
        var queue = NewQueue("dyn");
        var deliveries = new Deliveries();
        var bus = await StartBusAsync();
        void Configure(IBusRegistrationContext _, IReceiveEndpointConfigurator e) =>
            e.Handler<Ping>(c => { deliveries.Record(queue, c); return Task.CompletedTask; });

        var handle = bus.Connector.ConnectReceiveEndpoint(queue, Configure);
        await handle.Ready;
        var endpoint = await bus.SendEndpoint(queue);
        var before = Enumerable.Range(0, 3).Select(_ => new Ping(Guid.NewGuid())).ToArray();
        foreach (var p in before) await endpoint.Send(p);
        Assert.True(await deliveries.WaitUntil(d => d.Count >= 3, Arrival), $"{deliveries.All.Count} of 3 consumed before stopping");

        var running = await Transport.ObserveQueueAsync(queue);
        if (running.Consumers is { } consumersRunning) Assert.True(consumersRunning >= 1, $"running endpoint, but the broker reports {consumersRunning} consumers");

        await handle.StopAsync();
        var stopped = await Transport.ObserveQueueAsync(queue);
        var whileStopped = Enumerable.Range(0, 2).Select(_ => new Ping(Guid.NewGuid())).ToArray();
        foreach (var p in whileStopped) await endpoint.Send(p);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var later = await Transport.ObserveQueueAsync(queue);
        Output.WriteLine($"{Transport.Name}: running {running}, stopped {stopped}, 1.5 s later {later}");
        Assert.Equal(3, deliveries.All.Count); // nothing consumed while stopped
        if (later.Consumers is { } consumers) Assert.Equal(0, consumers);
        if (later.ReadyMessages is { } ready) Assert.Equal(2, ready);
        if (later.ReceiveCalls is { } calls) Assert.Equal(stopped.ReceiveCalls, calls); // no receive request reached the broker

        var again = bus.Connector.ConnectReceiveEndpoint(queue, Configure);
        await again.Ready;
        Assert.True(await deliveries.WaitUntil(d => d.Count >= 5, Arrival), $"{deliveries.All.Count} of 5 consumed after reconnecting");
        await Task.Delay(Settle);

        Assert.Equal(before.Concat(whileStopped).Select(p => p.Id).Order(), deliveries.All.Select(d => d.As<Ping>().Id).Order());
        Assert.Equal(whileStopped.Select(p => p.Id).Order(), deliveries.All.Skip(3).Select(d => d.As<Ping>().Id).Order());
        await again.StopAsync();
    }

    // 7 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task A_scheduled_send_is_not_delivered_before_its_delay_and_is_delivered_after_it()
    {
        var delay = TimeSpan.FromSeconds(3);
        var queue = NewQueue("delay");
        var deliveries = new Deliveries();
        var bus = await StartBusAsync((_, cfg) =>
            cfg.ReceiveEndpoint(queue, e => e.Handler<Reminder>(c => { deliveries.Record(queue, c); return Task.CompletedTask; })), withScheduler: true);

        var reminder = new Reminder(Guid.NewGuid());
        var immediate = new Reminder(Guid.NewGuid());
        using var scope = bus.Services.CreateScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
        var scheduledAt = DateTime.UtcNow;
        await scheduler.ScheduleSend(new Uri($"queue:{queue}"), scheduledAt + delay, reminder);
        await (await bus.SendEndpoint(queue)).Send(immediate); // the endpoint is live: an unscheduled message arrives at once

        Assert.True(await deliveries.WaitUntil(d => d.Any(x => x.As<Reminder>().Id == immediate.Id), delay + Arrival), "the unscheduled message did not arrive");
        Assert.True(await deliveries.WaitUntil(d => d.Any(x => x.As<Reminder>().Id == reminder.Id), delay + Arrival), "the scheduled message never arrived");
        await Task.Delay(Settle);
        // Judged by when each message reached the consumer (recorded on delivery), not by when this test looked: on a loaded machine the
        // unscheduled message itself can take seconds, and sampling "not yet" at a fixed time raced with the scheduled one.
        var arrivedAfter = deliveries.All.Single(d => d.As<Reminder>().Id == reminder.Id).At - scheduledAt;
        Output.WriteLine($"{Transport.Name}: scheduled for {delay}, arrived after {arrivedAfter}");
        Assert.True(arrivedAfter >= delay - TimeSpan.FromMilliseconds(100), $"arrived after {arrivedAfter}, before the delay of {delay}");
        Assert.Single(deliveries.All, d => d.As<Reminder>().Id == reminder.Id);
        Assert.Single(deliveries.All, d => d.As<Reminder>().Id == immediate.Id);
    }

    // 8 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_to_the_sender_and_without_a_limit_a_large_message_arrives_intact()
    {
        var queue = NewQueue("size");
        var deliveries = new Deliveries();
        var bus = await StartBusAsync((_, cfg) =>
            cfg.ReceiveEndpoint(queue, e => e.Handler<Blob>(c => { deliveries.Record(queue, c); return Task.CompletedTask; })));
        var endpoint = await bus.SendEndpoint(queue);

        if (Transport.SizeLimit is { } limit)
        {
            var faults = new SendFaults();
            bus.Bus.ConnectSendObserver(faults);
            var pattern = new Regex(limit.ErrorPattern, RegexOptions.IgnoreCase);
            var oversized = new Blob(Guid.NewGuid(), new string('x', checked((int)(limit.Bytes + 1024 * 1024))));
            var messageId = Guid.NewGuid();
            var clock = Stopwatch.StartNew();

            if (limit.Refusal == SizeRefusal.SendFaults)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var error = await Assert.ThrowsAnyAsync<Exception>(() => endpoint.Send(oversized, c => c.MessageId = messageId, timeout.Token));
                Output.WriteLine($"{Transport.Name}: after {clock.Elapsed}: {error}");
                Assert.False(timeout.IsCancellationRequested, "the send hung until the test's timeout instead of failing");
                Assert.Matches(pattern, error.ToString());
            }
            else
            {
                // The send never completes on its own: every attempt is refused (seen by the send observers), and
                // MassTransit retries until the caller gives up. We give up after the second refused attempt.
                using var caller = new CancellationTokenSource();
                var send = endpoint.Send(oversized, c => c.MessageId = messageId, caller.Token);
                var retried = await Wait.Until(() => faults.For(messageId).Count >= 2 || send.IsCompleted, TimeSpan.FromSeconds(40));
                var outcome = send.IsCompleted ? $"the send ended by itself ({send.Status}: {send.Exception?.GetBaseException().Message})" : "still retrying";
                Output.WriteLine($"{Transport.Name}: after {clock.Elapsed}: {outcome}; send faults: {string.Join(" | ", faults.For(messageId).Select(e => e.Message))}");
                Assert.False(send.IsCompleted, outcome);
                Assert.True(retried, $"expected repeated refused attempts within 40 s, saw {faults.For(messageId).Count}");
                await caller.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
            }

            var refusals = faults.For(messageId);
            Assert.NotEmpty(refusals);
            Assert.All(refusals, e => Assert.Matches(pattern, e.ToString()));

            // The sender recovers: the next small message goes through; the oversized one never arrives.
            var small = new Blob(Guid.NewGuid(), "small");
            await (await bus.SendEndpoint(queue)).Send(small);
            Assert.True(await deliveries.WaitUntil(d => d.Count >= 1, Arrival), "a small message after the refused one did not arrive");
            await Task.Delay(Settle);
            Assert.Equal(small.Id, Assert.Single(deliveries.All).As<Blob>().Id);
        }
        else
        {
            var payload = RandomText(20 * 1024 * 1024);
            var large = new Blob(Guid.NewGuid(), payload);
            await endpoint.Send(large);
            Assert.True(await deliveries.WaitUntil(d => d.Count >= 1, Arrival), "the large message did not arrive");
            var received = Assert.Single(deliveries.All).As<Blob>();
            Assert.Equal(large.Id, received.Id);
            Assert.Equal(payload.Length, received.Payload.Length);
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(payload)), SHA256.HashData(Encoding.UTF8.GetBytes(received.Payload)));
        }
    }

    private sealed class SendFaults : ISendObserver
    {
        private readonly List<(Guid? MessageId, Exception Error)> _faults = [];

        public IReadOnlyList<Exception> For(Guid messageId)
        {
            lock (_faults) return _faults.Where(f => f.MessageId == messageId).Select(f => f.Error).ToArray();
        }

        public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
        public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

        public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class
        {
            lock (_faults) _faults.Add((context.MessageId, exception));
            return Task.CompletedTask;
        }
    }

    private static string RandomText(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var bytes = RandomNumberGenerator.GetBytes(length);
        return string.Create(length, bytes, (span, b) => { for (var i = 0; i < span.Length; i++) span[i] = alphabet[b[i] % alphabet.Length]; });
    }

    // 9 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task Stopping_an_endpoint_waits_for_the_consumer_in_flight_and_the_message_is_not_redelivered()
    {
        var queue = NewQueue("graceful");
        var started = new Deliveries();
        var completed = new Deliveries();
        var bus = await StartBusAsync();
        void Configure(IBusRegistrationContext _, IReceiveEndpointConfigurator e) =>
            e.Handler<SlowJob>(async c =>
            {
                started.Record(queue, c);
                await Task.Delay(TimeSpan.FromSeconds(1.5), c.CancellationToken);
                completed.Record(queue, c);
            });

        var handle = bus.Connector.ConnectReceiveEndpoint(queue, Configure);
        await handle.Ready;
        var job = new SlowJob(Guid.NewGuid());
        await (await bus.SendEndpoint(queue)).Send(job);
        Assert.True(await started.WaitUntil(d => d.Count >= 1, Arrival), "the slow consumer never started");

        var clock = Stopwatch.StartNew();
        await handle.StopAsync();
        Output.WriteLine($"{Transport.Name}: StopAsync took {clock.Elapsed}");
        Assert.Equal(job.Id, Assert.Single(completed.All).As<SlowJob>().Id); // it finished before StopAsync returned

        var again = bus.Connector.ConnectReceiveEndpoint(queue, Configure);
        await again.Ready;
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(started.All); // acknowledged: not delivered again
        var observed = await Transport.ObserveQueueAsync(queue);
        if (observed.ReadyMessages is { } ready) Assert.Equal(0, ready);
        await again.StopAsync();
    }
}
