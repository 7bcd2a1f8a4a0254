using MassTransit;
using Persisters.Transports.Conformance.Messages;
using Persisters.Transports.Conformance.Worker;

// A consumer process the conformance tests can kill. It receives from CONFORMANCE_QUEUE on the transport named by
// CONFORMANCE_TRANSPORT and, for every HangingJob, prints "CONSUMING <MessageId>" and then never completes the
// consumer: the message stays unacknowledged until the test SIGKILLs this process.
//
// Output protocol (stdout, one line each): "READY" once the endpoint receives; "CONSUMING <guid>" per message.
// Exit code 2 for a configuration error.

try
{
    var queue = WorkerTransports.Required("CONFORMANCE_QUEUE");
    var transport = WorkerTransports.FromEnvironment();

    var bus = transport.CreateBus(cfg =>
        cfg.ReceiveEndpoint(queue, e =>
        {
            e.PrefetchCount = 1;
            e.ConcurrentMessageLimit = 1;
            transport.ConfigureEndpoint(e);
            e.Handler<HangingJob>(async context =>
            {
                Console.Out.WriteLine($"CONSUMING {context.MessageId}");
                Console.Out.Flush();
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
            });
        }));
    using (var start = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        await bus.StartAsync(start.Token);
    Console.Out.WriteLine("READY");
    Console.Out.Flush();

    await Task.Delay(Timeout.Infinite);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}
