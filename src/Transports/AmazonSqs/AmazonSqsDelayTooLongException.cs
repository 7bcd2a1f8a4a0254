using MassTransit;

namespace Persisters.Transports.AmazonSqs;

/// <summary>A delay longer than SQS's native maximum (15 minutes) was requested.</summary>
public sealed class AmazonSqsDelayTooLongException : TransportException
{
    public AmazonSqsDelayTooLongException(Uri address, string queueName, TimeSpan delay)
        : base(address, $"A delay of {delay} was requested for queue '{queueName}', but Amazon SQS delays messages by at most 15 minutes " +
            "(DelaySeconds 900). Schedule longer delays through the durable scheduler (Persisters.Scheduling: cfg.UseDurableMessageScheduler(context) " +
            "and IMessageScheduler / ScheduleSend) instead of SendContext.Delay.")
    {
        QueueName = queueName;
        Delay = delay;
    }

    public string QueueName { get; }
    public TimeSpan Delay { get; }
}
