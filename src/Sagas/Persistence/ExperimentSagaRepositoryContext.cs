using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Sagas.Persistence;

/// <summary>One message's view of the <c>experiment</c> table: loads the row, and writes back what the saga decided.</summary>
internal sealed class ExperimentSagaRepositoryContext<TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<ExperimentState, TMessage>
    where TMessage : class
{
    private readonly PersistersDbContext _db;
    private readonly ConsumeContext<TMessage> _context;
    private readonly TimeProvider _clock;
    private readonly Dictionary<Guid, ExperimentRow> _loaded = [];

    public ExperimentSagaRepositoryContext(PersistersDbContext db, ConsumeContext<TMessage> context, TimeProvider clock)
        : base(context, db)
    {
        _db = db;
        _context = context;
        _clock = clock;
    }

    public Task<SagaConsumeContext<ExperimentState, TMessage>> Add(ExperimentState instance) =>
        CreateSagaConsumeContext(_context, instance, SagaConsumeContextMode.Add);

    /// <summary>Only with insert-on-initial (not used by the lifecycle); a duplicate returns null so the row is loaded instead.</summary>
    public async Task<SagaConsumeContext<ExperimentState, TMessage>> Insert(ExperimentState instance)
    {
        var row = NewRow(instance);
        _db.Experiments.Add(row);
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException)
        {
            _db.Entry(row).State = EntityState.Detached;
            return null!;
        }
        _loaded[row.Id] = row;
        return await CreateSagaConsumeContext(_context, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<ExperimentState, TMessage>> Load(Guid correlationId)
    {
        var row = await _db.Experiments.AsTracking().SingleOrDefaultAsync(r => r.Id == correlationId, CancellationToken);
        if (row is null) return null!;
        _loaded[row.Id] = row;
        return await CreateSagaConsumeContext(_context, ExperimentStateMapping.ToSaga(row), SagaConsumeContextMode.Load);
    }

    /// <summary>A new experiment; a concurrent create of the same id fails on the primary key and is retried as a repeat.</summary>
    public async Task Save(SagaConsumeContext<ExperimentState> sagaContext)
    {
        var row = NewRow(sagaContext.Saga);
        _db.Experiments.Add(row);
        await _db.SaveChangesAsync(CancellationToken);
        _loaded[row.Id] = row;
    }

    /// <summary>
    /// Writes the row only when something changed, with <c>version + 1</c>; the UPDATE matches the version that was loaded,
    /// so a concurrent change makes it fail with <see cref="DbUpdateConcurrencyException"/> instead of being overwritten.
    /// </summary>
    public async Task Update(SagaConsumeContext<ExperimentState> sagaContext)
    {
        var saga = sagaContext.Saga;
        var row = _loaded[saga.CorrelationId];
        ExperimentStateMapping.CopyTo(saga, row);
        _db.ChangeTracker.DetectChanges();
        if (_db.Entry(row).State != EntityState.Modified) return;

        row.Version = saga.Version + 1;
        row.UpdatedAt = _clock.GetUtcNow().ToUnixTimeSeconds();
        await _db.SaveChangesAsync(CancellationToken);
        saga.Version = row.Version;
        saga.UpdatedAt = row.UpdatedAt;
    }

    public async Task Delete(SagaConsumeContext<ExperimentState> sagaContext)
    {
        if (!_loaded.Remove(sagaContext.Saga.CorrelationId, out var row)) return;
        _db.Experiments.Remove(row);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<ExperimentState> sagaContext) => Task.CompletedTask;

    /// <summary>Read-only use: forget whatever was copied into the row.</summary>
    public Task Undo(SagaConsumeContext<ExperimentState> sagaContext)
    {
        if (_loaded.TryGetValue(sagaContext.Saga.CorrelationId, out var row))
        {
            var entry = _db.Entry(row);
            entry.CurrentValues.SetValues(entry.OriginalValues);
            entry.State = EntityState.Unchanged;
        }
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<ExperimentState, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, ExperimentState instance,
        SagaConsumeContextMode mode)
        where T : class =>
        Task.FromResult<SagaConsumeContext<ExperimentState, T>>(new DefaultSagaConsumeContext<ExperimentState, T>(consumeContext, instance));

    private ExperimentRow NewRow(ExperimentState saga)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var row = new ExperimentRow { Id = saga.CorrelationId, Version = 1, CreatedAt = now, UpdatedAt = now };
        ExperimentStateMapping.CopyTo(saga, row);
        saga.Version = row.Version;
        saga.CreatedAt = saga.UpdatedAt = now;
        return row;
    }
}

/// <summary>Reads for <c>ILoadSagaRepository</c> / <c>IQuerySagaRepository</c> (the test harness's <c>Exists</c>, admin tools).</summary>
internal sealed class ExperimentSagaReadContext(PersistersDbContext db, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    LoadSagaRepositoryContext<ExperimentState>,
    QuerySagaRepositoryContext<ExperimentState>
{
    public async Task<ExperimentState> Load(Guid correlationId)
    {
        var row = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(r => r.Id == correlationId, CancellationToken);
        return row is null ? null! : ExperimentStateMapping.ToSaga(row);
    }

    /// <summary>
    /// Filters in memory: a query is an expression over the saga, not over the row. Fine for tests and tools; every message
    /// of the lifecycle itself correlates by id and never comes here.
    /// </summary>
    public async Task<SagaRepositoryQueryContext<ExperimentState>> Query(ISagaQuery<ExperimentState> query, CancellationToken cancellationToken = default)
    {
        var rows = await db.Experiments.AsNoTracking().ToListAsync(cancellationToken);
        var matches = query.FilterExpression.Compile();
        var ids = rows.Select(ExperimentStateMapping.ToSaga).Where(matches).Select(s => s.CorrelationId).ToList();
        return new DefaultSagaRepositoryQueryContext<ExperimentState>(this, ids);
    }
}
