using MassTransit;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Persisters;
using Persisters.Contracts;

namespace Persisters.Consumers;

/// <summary>
/// The persisters, listed once: registration (<c>AddPersisters</c>), the on-demand controller (which group to connect) and
/// queue declaration and retention (<see cref="PersisterQueues.All"/>) all read this list.
/// </summary>
public static class PersisterCatalogue
{
    /// <summary>Demand group of the DWH persisters: connected while any experiment is live.</summary>
    public const string DwhGroup = "dwh";

    /// <summary>Demand group of the OPS persisters: connected while any auto-ops rule is active.</summary>
    public const string OpsGroup = "ops";

    public static readonly IReadOnlyList<PersisterDescriptor> All =
    [
        PersisterDescriptor.Of<EvaluationEventsDwhPersister, EvaluationEventsDwhPersisterDefinition>(
            PersisterQueues.EvaluationDwh, DwhGroup, o => new(o), typeof(EvaluationEvent), typeof(EvaluationEventBatch)),
        PersisterDescriptor.Of<GoalEventsDwhPersister, GoalEventsDwhPersisterDefinition>(
            PersisterQueues.GoalDwh, DwhGroup, o => new(o), typeof(GoalEvent), typeof(GoalEventBatch)),
        PersisterDescriptor.Of<EvaluationEventsOpsPersister, EvaluationEventsOpsPersisterDefinition>(
            PersisterQueues.EvaluationOps, OpsGroup, o => new(o), typeof(EvaluationEvent), typeof(EvaluationEventBatch)),
        PersisterDescriptor.Of<GoalEventsOpsPersister, GoalEventsOpsPersisterDefinition>(
            PersisterQueues.GoalOps, OpsGroup, o => new(o), typeof(GoalEvent), typeof(GoalEventBatch)),
    ];

    /// <summary>The persister whose consumer is <paramref name="consumerType"/>; <see cref="InvalidOperationException"/> for any other type.</summary>
    public static PersisterDescriptor Of(Type consumerType) =>
        All.FirstOrDefault(p => p.ConsumerType == consumerType)
        ?? throw new InvalidOperationException($"{consumerType.Name} is not a persister of {nameof(PersisterCatalogue)}");
}

/// <summary>One persister: its consumer, the messages it takes (each consumed in batches), its queue and its demand group.</summary>
public sealed class PersisterDescriptor
{
    private readonly Func<IBusRegistrationConfigurator, IConsumerRegistrationConfigurator> _register;
    private readonly Func<IOptions<PersisterOptions>, IConsumerDefinition> _definition;
    private readonly Action<IConsumerDefinition, IRegistrationContext, IReceiveEndpointConfigurator> _configure;

    private PersisterDescriptor(string queueName, string group, Type consumerType, IReadOnlyList<Type> messageTypes,
        Func<IBusRegistrationConfigurator, IConsumerRegistrationConfigurator> register, Func<IOptions<PersisterOptions>, IConsumerDefinition> definition,
        Action<IConsumerDefinition, IRegistrationContext, IReceiveEndpointConfigurator> configure)
    {
        QueueName = queueName;
        Group = group;
        ConsumerType = consumerType;
        MessageTypes = messageTypes;
        _register = register;
        _definition = definition;
        _configure = configure;
    }

    public string QueueName { get; }

    /// <summary><see cref="PersisterCatalogue.DwhGroup"/> or <see cref="PersisterCatalogue.OpsGroup"/>.</summary>
    public string Group { get; }

    public Type ConsumerType { get; }
    public IReadOnlyList<Type> MessageTypes { get; }

    /// <summary>Adds the consumer with its definition to the bus registration.</summary>
    public IConsumerRegistrationConfigurator Register(IBusRegistrationConfigurator x) => _register(x);

    /// <summary>
    /// How to configure the persister's own endpoint when it is connected by hand (on demand): its endpoint limit, and
    /// <c>ConfigureConsumer</c>, which applies its definition (batch, retry, prefetch).
    /// </summary>
    public Action<IRegistrationContext, IReceiveEndpointConfigurator> EndpointConfiguration(IOptions<PersisterOptions> options)
    {
        var definition = _definition(options);
        return (context, e) => _configure(definition, context, e);
    }

    internal static PersisterDescriptor Of<TConsumer, TDefinition>(string queueName, string group, Func<IOptions<PersisterOptions>, TDefinition> definition,
        params Type[] messageTypes)
        where TConsumer : class, IConsumer
        where TDefinition : class, IConsumerDefinition<TConsumer> =>
        new(queueName, group, typeof(TConsumer), messageTypes, x => x.AddConsumer<TConsumer, TDefinition>(), definition, (d, context, e) =>
        {
            if (d.ConcurrentMessageLimit is { } limit) e.ConcurrentMessageLimit = limit;
            e.ConfigureConsumer<TConsumer>(context);
        });
}
