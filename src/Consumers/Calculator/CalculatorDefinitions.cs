using MassTransit;
using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// A calculation reads every event of an experiment: few at once per process (<see cref="CalculatorOptions.ConcurrencyLimit"/>),
/// retried with backoff when the database fails, then to <c>experiment-results-calculator_error</c>.
/// </summary>
public sealed class ExperimentResultsCalculatorDefinition : ConsumerDefinition<ExperimentResultsCalculator>
{
    private readonly CalculatorOptions _options;

    public ExperimentResultsCalculatorDefinition(IOptions<CalculatorOptions> options)
    {
        _options = options.Value;
        EndpointName = CalculatorQueues.Calculator;
        ConcurrentMessageLimit = _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ExperimentResultsCalculator> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Math.Max(2, _options.ConcurrencyLimit * 2);
        consumerConfigurator.UseMessageRetry(r => r.Exponential(_options.RetryLimit, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
    }
}

/// <summary>The tick shares the calculator's queue; one at a time is plenty.</summary>
public sealed class ExperimentCalculationsDispatcherDefinition : ConsumerDefinition<ExperimentCalculationsDispatcher>
{
    private readonly CalculatorOptions _options;

    public ExperimentCalculationsDispatcherDefinition(IOptions<CalculatorOptions> options)
    {
        _options = options.Value;
        EndpointName = CalculatorQueues.Calculator;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ExperimentCalculationsDispatcher> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(r => r.Exponential(_options.RetryLimit, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
}
