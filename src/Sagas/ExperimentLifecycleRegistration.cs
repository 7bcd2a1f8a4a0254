using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persisters.Persistence;
using Persisters.Sagas.Persistence;

namespace Persisters.Sagas;

public static class ExperimentLifecycleRegistration
{
    /// <summary>
    /// The experiment lifecycle saga: state machine, its endpoint (see <see cref="ExperimentLifecycleDefinition"/>) and the
    /// EF Core repository over the <c>experiment</c> table. Needs <c>AddPersistersDatabase</c> (for
    /// <see cref="IPersistersDbContextFactory"/>) and a message scheduler on the bus (the durable scheduler; the test harness
    /// adds a delayed one itself).
    /// </summary>
    public static IBusRegistrationConfigurator AddExperimentLifecycle(this IBusRegistrationConfigurator x, ExperimentLifecycleOptions? options = null)
    {
        options ??= new ExperimentLifecycleOptions();
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));

        x.RemoveAll<ExperimentLifecycleOptions>();
        x.AddSingleton(options);
        x.TryAddSingleton(TimeProvider.System);
        x.TryAddSingleton<ExperimentTimerSweeper>();
        x.AddHostedService(sp => sp.GetRequiredService<ExperimentTimerSweeper>());
        x.AddSagaStateMachine<ExperimentLifecycle, ExperimentState, ExperimentLifecycleDefinition>()
            .Repository(r =>
            {
                r.RegisterSagaRepository<ExperimentState, PersistersDbContext, SagaConsumeContextFactory<PersistersDbContext, ExperimentState>,
                    ExperimentSagaRepositoryContextFactory>();
                r.RegisterLoadSagaRepository<ExperimentState, ExperimentSagaRepositoryContextFactory>();
                r.RegisterQuerySagaRepository<ExperimentState, ExperimentSagaRepositoryContextFactory>();
            });
        return x;
    }
}
