using MassTransit;

namespace Persisters.Transports.Conformance.Tests.Transports;

/// <summary>
/// One transport as the conformance tests see it. An instance is one test's isolated namespace (a fresh RabbitMQ virtual
/// host, a fresh in-memory bus, a fresh SQS queue prefix …): <see cref="InitializeAsync" /> creates it,
/// <see cref="IAsyncDisposable.DisposeAsync" /> removes it. Several buses of one test share the namespace.
/// </summary>
public interface ITransportUnderTest : IAsyncDisposable
{
    /// <summary>For messages: "InMemory", "RabbitMq", "AmazonSqs".</summary>
    string Name { get; }

    /// <summary>Creates the isolated namespace (and checks the server is reachable). Called once per test.</summary>
    Task InitializeAsync();

    /// <summary>
    /// Selects this transport on <paramref name="x" /> (<c>x.UsingRabbitMq(…)</c>, <c>x.UsingInMemory(…)</c>,
    /// <c>x.UsingAmazonSqs(…)</c>) connected to the namespace, and calls <paramref name="configure" /> inside it.
    /// </summary>
    void UseTransport(IBusRegistrationConfigurator x, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure);

    /// <summary>
    /// Registers the message scheduler this transport honestly supports (an <see cref="IMessageScheduler" /> in DI):
    /// transport delay where the broker has it, the project's durable scheduler where it does not.
    /// </summary>
    void AddScheduler(IBusRegistrationConfigurator x);

    /// <summary>The bus-side half of <see cref="AddScheduler" />; called first inside <c>configure</c>.</summary>
    void UseScheduler(IBusRegistrationContext context, IBusFactoryConfigurator cfg);

    /// <summary>The broker's message size limit, or null when it has none (then a large message must arrive intact).</summary>
    MessageSizeLimit? SizeLimit { get; }

    /// <summary>
    /// What the broker itself says about a queue: its consumers and ready messages, and/or how many receive calls it has
    /// served for it, whichever this transport can tell (null for what it cannot). Used to check that a stopped endpoint
    /// really stopped consuming.
    /// </summary>
    Task<QueueObservation> ObserveQueueAsync(string queue);
}

/// <summary>A transport whose messages outlive a consumer process (a broker in another process).</summary>
public interface IDurableTransportUnderTest : ITransportUnderTest
{
    /// <summary>
    /// Environment for <c>tests/Persisters.Transports.Conformance.Worker</c>: <c>CONFORMANCE_TRANSPORT</c> (a key of its
    /// <c>WorkerTransports.All</c>) and that transport's connection settings for this namespace.
    /// </summary>
    IReadOnlyDictionary<string, string> WorkerEnvironment { get; }

    /// <summary>How long after a consumer process died its unacknowledged message may take to come back (SQS: visibility timeout).</summary>
    TimeSpan RedeliveryTimeout { get; }
}

/// <param name="Bytes">Largest accepted message body.</param>
/// <param name="Refusal">How the sender learns that a larger message was refused.</param>
/// <param name="ErrorPattern">
/// Regular expression the refusal's exception (or an inner one) must match, e.g. "larger than configured max size".
/// </param>
public sealed record MessageSizeLimit(long Bytes, SizeRefusal Refusal, string ErrorPattern);

public enum SizeRefusal
{
    /// <summary>The Send/Publish task faults with the broker's error (e.g. SQS answers the send request with an error).</summary>
    SendFaults,

    /// <summary>
    /// The broker refuses every attempt (each one reaches the bus's send observers as a send fault with the broker's error), but
    /// MassTransit treats the refusal as a transport failure and retries the send until the caller's token is cancelled.
    /// RabbitMQ: the broker closes the channel (406 PRECONDITION_FAILED), MassTransit's send retry policy handles
    /// AlreadyClosedException and tries again, for as long as 1000 exponential retries of up to 30 s.
    /// </summary>
    RetriedUntilCancelled,
}

/// <param name="Consumers">Consumers attached to the queue (null: the transport cannot tell).</param>
/// <param name="ReadyMessages">Messages waiting in the queue, not delivered to anyone (null: cannot tell).</param>
/// <param name="ReceiveCalls">Receive requests the broker served for the queue so far (null: cannot tell; SQS can count them).</param>
public sealed record QueueObservation(long? Consumers, long? ReadyMessages, long? ReceiveCalls)
{
    public static readonly QueueObservation Unknown = new(null, null, null);
}
