using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Persisters.Sagas;

/// <summary>
/// The saga's endpoint: queue <see cref="ExperimentLifecycleOptions.EndpointName"/>, retry of lost concurrency races and
/// transient database errors, and an in-memory outbox so an attempt that fails publishes, schedules and answers nothing.
/// </summary>
public sealed class ExperimentLifecycleDefinition : SagaDefinition<ExperimentState>
{
    private readonly ExperimentLifecycleOptions _options;

    public ExperimentLifecycleDefinition(ExperimentLifecycleOptions options)
    {
        _options = options;
        EndpointName = options.EndpointName;
        ConcurrentMessageLimit = options.ConcurrentMessageLimit;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<ExperimentState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Retry outside the outbox: each attempt reloads the row, and only the attempt that saves sends anything.
        // DbUpdateConcurrencyException is a DbUpdateException; so is a duplicate key when two creates of one id race.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Exponential(_options.RetryLimit, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
