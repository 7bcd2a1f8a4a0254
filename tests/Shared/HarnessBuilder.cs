using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Persistence;

namespace Persisters.Tests.Support;

/// <summary>
/// What every in-memory test harness (persisters, calculator, demand, auto-ops rules, experiment lifecycle) assembles
/// the same way: a service collection with warning-level logging, the data layer on a migrated database of its own,
/// optionally a hand-moved clock and the metrics services, and the MassTransit in-memory test harness with the test's
/// timeouts. Each harness adds only its own services and consumers or sagas, then calls <see cref="StartAsync"/>.
/// </summary>
/// <param name="testTimeout">The test harness's overall timeout (MassTransit's <c>TestTimeout</c>).</param>
/// <param name="inactivityTimeout">How long the bus must be quiet before the harness calls it inactive (<c>TestInactivityTimeout</c>).</param>
public sealed class HarnessBuilder(TimeSpan testTimeout, TimeSpan inactivityTimeout)
{
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly List<Action<IBusRegistrationConfigurator>> _bus = [];
    private readonly List<Action<IServiceCollection>> _lastServices = [];
    private DatabaseOptions? _givenDatabase;
    private TestDatabase? _testDatabase;
    private bool _ownsTestDatabase;
    private TimeProvider? _clock;
    private bool _metrics;

    /// <summary>Runs on a database the test owns (e.g. one on MariaDB); <c>null</c>, the default, is a fresh SQLite file the harness removes.</summary>
    public HarnessBuilder Database(DatabaseOptions? database)
    {
        _givenDatabase = database;
        _testDatabase = null;
        return this;
    }

    /// <summary>Runs on this test database; with <paramref name="owned"/> the harness disposes it (removes it) when disposed.</summary>
    public HarnessBuilder Database(TestDatabase database, bool owned)
    {
        _givenDatabase = null;
        _testDatabase = database;
        _ownsTestDatabase = owned;
        return this;
    }

    /// <summary>Registers <paramref name="clock"/> as the application's <see cref="TimeProvider"/>.</summary>
    public HarnessBuilder Clock(TimeProvider clock)
    {
        _clock = clock;
        return this;
    }

    /// <summary>Registers the metrics services (<c>AddMetrics</c>), which the persisters' and calculator's meters need.</summary>
    public HarnessBuilder Metrics()
    {
        _metrics = true;
        return this;
    }

    /// <summary>The harness's own services (options, the application's service extensions); runs after the data layer is added.</summary>
    public HarnessBuilder Services(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>The consumers and sagas on the test bus; called in order inside <c>AddMassTransitTestHarness</c>.</summary>
    public HarnessBuilder Bus(Action<IBusRegistrationConfigurator> configure)
    {
        _bus.Add(configure);
        return this;
    }

    /// <summary>Last changes to the services, after the bus is registered (to replace something it added).</summary>
    public HarnessBuilder LastServices(Action<IServiceCollection>? configure)
    {
        if (configure is not null) _lastServices.Add(configure);
        return this;
    }

    /// <summary>
    /// Builds the provider (scopes validated), migrates the database and starts the test harness. On a failure, whatever
    /// it built is disposed and the exception is rethrown.
    /// </summary>
    public async Task<HarnessHost> StartAsync()
    {
        var owned = _givenDatabase is null && _testDatabase is null ? TestDatabase.Sqlite() : _ownsTestDatabase ? _testDatabase : null;
        var database = _givenDatabase ?? (_testDatabase ?? owned)!.Options;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        if (_metrics) services.AddMetrics();
        if (_clock is not null) services.AddSingleton<TimeProvider>(_clock);
        services.AddPersistersDatabase(database);
        foreach (var configure in _services) configure(services);
        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: testTimeout, testInactivityTimeout: inactivityTimeout);
            foreach (var configure in _bus) configure(x);
        });
        foreach (var configure in _lastServices) configure(services);
        var host = new HarnessHost(services.BuildServiceProvider(true), database, owned);
        try
        {
            await host.Provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
            await host.Harness.Start();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }
}
