using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Persisters.Persistence;

namespace Persisters.Sagas.Persistence;

/// <summary>
/// The lifecycle saga's repository over the <c>experiment</c> table (MassTransit's EF Core package is not available).
/// <para>
/// Concurrency is optimistic: the row's <c>version</c> is a concurrency token, every change adds one, and an update that
/// finds another version fails with <see cref="DbUpdateConcurrencyException"/>; the saga endpoint retries the message
/// (<see cref="ExperimentLifecycleDefinition"/>), which reloads the row and decides again. Chosen over MySQL's
/// <c>SELECT ... FOR UPDATE</c> because it works the same on SQLite (no row locks there), holds no lock while the state
/// machine runs, and needs no explicit transaction, so MySQL's retrying execution strategy can retry each statement on its
/// own. Conflicts are rare (a few commands and timers per experiment), and with the endpoint's in-memory outbox a lost
/// race publishes nothing.
/// </para>
/// </summary>
public sealed class ExperimentSagaRepositoryContextFactory(IPersistersDbContextFactory databases, TimeProvider clock) :
    ISagaRepositoryContextFactory<ExperimentState>,
    ILoadSagaRepositoryContextFactory<ExperimentState>,
    IQuerySagaRepositoryContextFactory<ExperimentState>
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<ExperimentState, T>> next)
        where T : class
    {
        await using var db = databases.CreateDbContext();
        var repositoryContext = new ExperimentSagaRepositoryContext<T>(db, context, clock);
        await next.Send(repositoryContext);
    }

    /// <summary>Every lifecycle message correlates by experiment id; a query-correlated message is a wiring mistake.</summary>
    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<ExperimentState> query, IPipe<SagaRepositoryQueryContext<ExperimentState, T>> next)
        where T : class =>
        throw new NotSupportedException("The experiment lifecycle correlates messages by experiment id only.");

    Task<TResult> ILoadSagaRepositoryContextFactory<ExperimentState>.Execute<TResult>(
        Func<LoadSagaRepositoryContext<ExperimentState>, Task<TResult>> asyncMethod, CancellationToken cancellationToken) =>
        ReadAsync(asyncMethod, cancellationToken);

    Task<TResult> IQuerySagaRepositoryContextFactory<ExperimentState>.Execute<TResult>(
        Func<QuerySagaRepositoryContext<ExperimentState>, Task<TResult>> asyncMethod, CancellationToken cancellationToken) =>
        ReadAsync(asyncMethod, cancellationToken);

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "ef-core");
        context.Add("table", "experiment");
        context.Add("concurrency", "optimistic (version)");
    }

    private async Task<TResult> ReadAsync<TResult>(Func<ExperimentSagaReadContext, Task<TResult>> asyncMethod, CancellationToken cancellationToken)
    {
        await using var db = databases.CreateDbContext();
        return await asyncMethod(new ExperimentSagaReadContext(db, cancellationToken));
    }
}
