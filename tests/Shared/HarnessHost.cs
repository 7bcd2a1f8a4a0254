using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Persistence;

namespace Persisters.Tests.Support;

/// <summary>
/// A started in-memory test harness as <see cref="HarnessBuilder"/> built it: the service provider, MassTransit's
/// <see cref="ITestHarness"/> and the database, with the helpers every harness uses. Disposing stops the bus, disposes
/// the provider and removes the database if the harness owns it.
/// </summary>
public sealed class HarnessHost : IAsyncDisposable
{
    private readonly TestDatabase? _ownedDatabase;

    internal HarnessHost(ServiceProvider provider, DatabaseOptions database, TestDatabase? ownedDatabase)
    {
        Provider = provider;
        Database = database;
        _ownedDatabase = ownedDatabase;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public ServiceProvider Provider { get; }
    public ITestHarness Harness { get; }
    public DatabaseOptions Database { get; }

    /// <summary>Runs <paramref name="query"/> on a new context of the application's factory and returns its result.</summary>
    public async Task<T> QueryAsync<T>(Func<PersistersDbContext, Task<T>> query)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await query(db);
    }

    /// <summary>
    /// Sends <paramref name="command"/> to the queue <paramref name="queue"/> as a request (30 s timeout) and returns the
    /// answer: exactly one of the two is set.
    /// </summary>
    /// <exception cref="RequestTimeoutException">No answer within 30 s.</exception>
    public async Task<(TAccepted? Accepted, TRejected? Rejected)> RequestAsync<TCommand, TAccepted, TRejected>(string queue, TCommand command)
        where TCommand : class where TAccepted : class where TRejected : class
    {
        var client = Harness.Bus.CreateRequestClient<TCommand>(new Uri($"queue:{queue}"), RequestTimeout.After(s: 30));
        var response = await client.GetResponse<TAccepted, TRejected>(command);
        return response.Is(out Response<TAccepted>? accepted)
            ? (accepted!.Message, null)
            : response.Is(out Response<TRejected>? rejected)
                ? (null, rejected!.Message)
                : throw new InvalidOperationException("Unexpected response type.");
    }

    /// <summary>The messages of type <typeparamref name="T"/> published so far whose id (<paramref name="idOf"/>) is <paramref name="id"/>, in order.</summary>
    public IReadOnlyList<T> PublishedFor<T>(Guid id, Func<T, Guid> idOf) where T : class =>
        Harness.Published.Select<T>(m => idOf(m.Context.Message) == id).Select(m => m.Context.Message).ToList();

    /// <summary>
    /// Waits until a matching message was published for <paramref name="id"/> and returns it: the row is saved before the
    /// outbox sends, so a state seen in the database may be a moment ahead of its events.
    /// </summary>
    /// <exception cref="Xunit.Sdk.XunitException">None was published within <paramref name="patience"/>.</exception>
    public async Task<T> ShouldPublishAsync<T>(Guid id, Func<T, Guid> idOf, Func<T, bool> matches, TimeSpan patience) where T : class
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var found = PublishedFor(id, idOf).FirstOrDefault(matches);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"No matching {typeof(T).Name} was published for {id}.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Provider.DisposeAsync();
        if (_ownedDatabase is not null) await _ownedDatabase.DisposeAsync();
    }
}
