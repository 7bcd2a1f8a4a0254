using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Consumers.Calculator;

public static class CalculatorRegistration
{
    /// <summary>
    /// The calculator's services, without the bus: options (the host binds and validates them as section <c>Calculator</c>, as
    /// every section), the count queries and <see cref="ExperimentResultsService"/>.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddExperimentCalculatorServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<CalculatorOptions>();
        services.TryAddSingleton<ExperimentCounts>();
        services.TryAddSingleton<ExperimentResultsService>();
        return services;
    }

    /// <summary>
    /// Everything on the bus registration: the services above, the two consumers on <c>experiment-results-calculator</c>
    /// and the bus observer that registers the recurring run at start. Needs the durable scheduler on the same bus
    /// (<c>AddDurableMessageScheduler</c>); without one the observer logs a warning and the run is never scheduled.
    /// </summary>
    public static IBusRegistrationConfigurator AddExperimentCalculator(this IBusRegistrationConfigurator x)
    {
        x.AddExperimentCalculatorServices();
        x.TryAddSingleton<CalculatorSchedule>();
        x.AddBusObserver(sp => sp.GetRequiredService<CalculatorSchedule>());
        x.AddConsumer<ExperimentResultsCalculator, ExperimentResultsCalculatorDefinition>();
        x.AddConsumer<ExperimentCalculationsDispatcher, ExperimentCalculationsDispatcherDefinition>();
        return x;
    }
}
