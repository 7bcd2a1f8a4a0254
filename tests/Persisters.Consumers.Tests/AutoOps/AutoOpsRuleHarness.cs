using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// The auto-ops rule command consumer (<see cref="AutoOpsRuleCommandsConsumer"/>, queue <see cref="AutoOpsRegistration.EndpointName"/>)
/// on the MassTransit in-memory test harness over a fresh, migrated SQLite file. Each test builds its own.
/// </summary>
public sealed class AutoOpsRuleHarness : IAsyncDisposable
{
    /// <summary>How long a test waits for something that must happen before it fails (an upper bound, not a measurement).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _directory;

    private AutoOpsRuleHarness(ServiceProvider provider, string directory)
    {
        Provider = provider;
        _directory = directory;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public ServiceProvider Provider { get; }
    public ITestHarness Harness { get; }

    public static async Task<AutoOpsRuleHarness> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "persisters-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddPersistersDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(directory, "rules.db")}",
        });
        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: Patience, testInactivityTimeout: TimeSpan.FromMilliseconds(500));
            x.AddAutoOpsRules();
        });
        var provider = services.BuildServiceProvider(true);
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        var harness = new AutoOpsRuleHarness(provider, directory);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Sends an auto-ops rule command as a request and returns the answer.</summary>
    public async Task<RuleAnswer> SendRuleCommandAsync<T>(T command) where T : class
    {
        var client = Harness.Bus.CreateRequestClient<T>(new Uri($"queue:{AutoOpsRegistration.EndpointName}"), RequestTimeout.After(s: 30));
        var response = await client.GetResponse<AutoOpsCommandAccepted, AutoOpsCommandRejected>(command);
        return response.Is(out Response<AutoOpsCommandAccepted>? accepted)
            ? new RuleAnswer(accepted!.Message, null)
            : response.Is(out Response<AutoOpsCommandRejected>? rejected)
                ? new RuleAnswer(null, rejected!.Message)
                : throw new InvalidOperationException("Unexpected response type.");
    }

    public async Task<AutoOpsRuleRow?> RuleRowAsync(Guid ruleId)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await db.AutoOpsRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId);
    }

    public IReadOnlyList<T> PublishedFor<T>(Guid id, Func<T, Guid> idOf) where T : class =>
        Harness.Published.Select<T>(m => idOf(m.Context.Message) == id).Select(m => m.Context.Message).ToList();

    /// <summary>
    /// Waits until a matching message was published: the row is saved before the outbox sends, so a state seen in the
    /// database may be a moment ahead of its events.
    /// </summary>
    public async Task<T> ShouldPublishAsync<T>(Guid id, Func<T, Guid> idOf, Func<T, bool> matches) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
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
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What the auto-ops rule consumer answered to one command.</summary>
public sealed record RuleAnswer(AutoOpsCommandAccepted? Accepted, AutoOpsCommandRejected? Rejected)
{
    public AutoOpsCommandAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {Rejected!.Reason}");
        if (detail is not null) Assert.Equal(detail, Accepted.Detail);
        return Accepted;
    }

    public AutoOpsCommandRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {Accepted!.Detail}");
        if (reasonContains is not null) Assert.Contains(reasonContains, Rejected.Reason);
        return Rejected;
    }
}
