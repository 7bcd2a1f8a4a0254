using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Consumers.AutoOps;

public static class AutoOpsRegistration
{
    /// <summary>Queue of the auto-ops rule commands.</summary>
    public const string EndpointName = "auto-ops-rules";

    /// <summary>The auto-ops rule commands (<see cref="AutoOpsRuleCommandsConsumer"/>) on queue <see cref="EndpointName"/>. Needs <c>AddPersistersDatabase</c>.</summary>
    public static IBusRegistrationConfigurator AddAutoOpsRules(this IBusRegistrationConfigurator x)
    {
        x.TryAddSingleton(TimeProvider.System);
        x.AddConsumer<AutoOpsRuleCommandsConsumer, AutoOpsRuleCommandsConsumerDefinition>();
        return x;
    }
}

/// <summary>Queue <see cref="AutoOpsRegistration.EndpointName"/>; a duplicate-key race or a transient database error is retried; the outbox holds answers and events until the row is saved.</summary>
public sealed class AutoOpsRuleCommandsConsumerDefinition : ConsumerDefinition<AutoOpsRuleCommandsConsumer>
{
    public AutoOpsRuleCommandsConsumerDefinition()
    {
        EndpointName = AutoOpsRegistration.EndpointName;
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<AutoOpsRuleCommandsConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Exponential(5, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
