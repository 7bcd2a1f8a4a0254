using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Calculator;

public static class CalculatorRegistration
{
    /// <summary>
    /// The calculator's services, without the bus: options (validated at start; the host binds them to the section
    /// <c>Calculator</c>, as it does for <c>Persisters</c>), the count queries and <see cref="ExperimentResultsService"/>.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddExperimentCalculatorServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (!services.Any(d => d.ServiceType == typeof(ExperimentResultsService)))
        {
            services.AddOptions<CalculatorOptions>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<CalculatorOptions>, CalculatorOptionsValidator>();
        }
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

internal sealed class CalculatorOptionsValidator : IValidateOptions<CalculatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CalculatorOptions options)
    {
        var errors = options.GetErrors();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
