using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Endpoint tuning shared by the four persisters: its own queue, batch size and time limit, the process's
/// in-flight byte limit (<see cref="PersisterInFlightLimit"/>), and a bounded retry of a failed batch; after
/// the last retry the events go to the queue's _error queue with the exception in their headers.
/// </summary>
public abstract class PersisterDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly BatchSettings _batch;

    protected PersisterDefinition(IOptions<PersisterOptions> options)
    {
        _batch = options.Value.Batch;
        EndpointName = PersisterCatalogue.Of(typeof(TConsumer)).QueueName;
        ConcurrentMessageLimit = _batch.MessageLimit * _batch.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Math.Max(endpointConfigurator.PrefetchCount, _batch.MessageLimit * _batch.ConcurrencyLimit);
        // Before the deserializer: a message waits as raw bytes until the process's persisters have room for it.
        var limit = context.GetRequiredService<PersisterInFlightLimit>();
        endpointConfigurator.ConfigureReceive(r => r.UseFilter(limit));
        // Event envelopes are read in place: their events stay in the body's bytes until decoded one by one.
        endpointConfigurator.AddDeserializer(new PersisterMessageDeserializerFactory(), isDefault: true);
        consumerConfigurator.UseMessageRetry(r => r.Exponential(_batch.RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_batch.MessageLimit)
            .SetTimeLimit(_batch.TimeLimit)
            .SetConcurrencyLimit(_batch.ConcurrencyLimit));
    }
}
