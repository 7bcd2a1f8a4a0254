using System.Diagnostics;
using MassTransit;
using Persisters.Transports.Conformance.Messages;
using Persisters.Transports.Conformance.Tests.Support;
using Persisters.Transports.Conformance.Tests.Transports;
using Xunit.Abstractions;

namespace Persisters.Transports.Conformance.Tests;

/// <summary>
/// What a durable transport (a broker in another process) must do on top of <see cref="TransportConformance{TTransport}" />:
/// messages outlive the process that was consuming them. In-memory does not derive from this.
/// </summary>
public abstract class DurableTransportConformance<TTransport>(ITestOutputHelper output) : TransportConformance<TTransport>(output)
    where TTransport : IDurableTransportUnderTest, new()
{
    // 5 ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task A_message_in_flight_in_a_killed_consumer_process_is_redelivered_to_another_consumer()
    {
        var queue = NewQueue("kill");
        var environment = new Dictionary<string, string>(Transport.WorkerEnvironment) { ["CONFORMANCE_QUEUE"] = queue };
        var worker = Track(WorkerProcess.Start(environment));
        await worker.WaitForLineAsync("READY", TimeSpan.FromSeconds(60));

        var bus = await StartBusAsync();
        var job = new HangingJob(Guid.NewGuid());
        var messageId = Guid.NewGuid();
        await (await bus.SendEndpoint(queue)).Send(job, c => c.MessageId = messageId);

        var consuming = await worker.WaitForLineAsync("CONSUMING", TimeSpan.FromSeconds(30));
        Assert.Equal($"CONSUMING {messageId}", consuming);
        var inFlight = await Transport.ObserveQueueAsync(queue);
        if (inFlight.ReadyMessages is { } readyInFlight) Assert.Equal(0, readyInFlight); // delivered to the worker, not waiting

        worker.Kill(); // SIGKILL, no ack

        var deliveries = new Deliveries();
        var handle = bus.Connector.ConnectReceiveEndpoint(queue, (_, e) =>
            e.Handler<HangingJob>(c => { deliveries.Record(queue, c); return Task.CompletedTask; }));
        await handle.Ready;
        var clock = Stopwatch.StartNew();
        Assert.True(await deliveries.WaitUntil(d => d.Count >= 1, Transport.RedeliveryTimeout), $"not redelivered within {Transport.RedeliveryTimeout}");
        Output.WriteLine($"{Transport.Name}: redelivered {clock.Elapsed} after the kill");
        await Task.Delay(Settle);

        var redelivered = Assert.Single(deliveries.All);
        Assert.Equal(messageId, redelivered.MessageId);
        Assert.Equal(job.Id, redelivered.As<HangingJob>().Id);
        Assert.True(redelivered.Redelivered, "the transport did not mark the message as redelivered");
        await handle.StopAsync();
    }

    // 9, whole bus --------------------------------------------------------------------------------------------------
    [Fact]
    public async Task Stopping_the_bus_waits_for_the_consumer_in_flight_and_a_new_bus_does_not_get_the_message_again()
    {
        var queue = NewQueue("bus-stop");
        var started = new Deliveries();
        var completed = new Deliveries();
        var first = await StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e => e.Handler<SlowJob>(async c =>
        {
            started.Record(queue, c);
            await Task.Delay(TimeSpan.FromSeconds(1.5), c.CancellationToken);
            completed.Record(queue, c);
        })));

        var job = new SlowJob(Guid.NewGuid());
        await (await first.SendEndpoint(queue)).Send(job);
        Assert.True(await started.WaitUntil(d => d.Count >= 1, Arrival), "the slow consumer never started");
        await first.StopAsync();
        Assert.Equal(job.Id, Assert.Single(completed.All).As<SlowJob>().Id);

        var afterRestart = new Deliveries();
        await StartBusAsync((_, cfg) => cfg.ReceiveEndpoint(queue, e =>
            e.Handler<SlowJob>(c => { afterRestart.Record(queue, c); return Task.CompletedTask; })));
        var probe = new SlowJob(Guid.NewGuid());
        var second = await StartBusAsync();
        await (await second.SendEndpoint(queue)).Send(probe);
        Assert.True(await afterRestart.WaitUntil(d => d.Count >= 1, Arrival), "the new bus consumes nothing");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(probe.Id, Assert.Single(afterRestart.All).As<SlowJob>().Id); // only the new message, not the finished one
    }
}
