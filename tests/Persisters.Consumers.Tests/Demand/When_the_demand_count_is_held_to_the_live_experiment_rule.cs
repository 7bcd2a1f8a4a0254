using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Tests.Calculator;
using Persisters.Tests.Support;

namespace Persisters.Tests.Demand;

/// <summary>
/// The demand controller's hand-written SQL count (<see cref="DefinitionStore.CountDemandAsync"/>) against the one rule
/// (<see cref="LiveExperiment"/>) and the definitions loader, on SQLite; <see cref="When_the_demand_count_is_held_to_the_live_experiment_rule_on_MariaDb"/>
/// runs the same facts on MariaDB.
/// </summary>
public class When_the_demand_count_is_held_to_the_live_experiment_rule
{
    protected virtual Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync();

    private static readonly TimeSpan Tail = TimeSpan.FromHours(2);

    [Fact]
    public async Task The_count_the_loader_and_the_rule_pick_the_same_experiments_for_every_status_archive_flag_and_stop_time()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        var tailStart = now - (long)Tail.TotalSeconds;
        var store = h.Provider.GetRequiredService<DefinitionStore>();

        // Every status, archived or not, with stop_at just before, on, and just after the tail's start, and in the future.
        var experiments = (
            from status in Enum.GetValues<ExperimentStatus>()
            from archived in new[] { false, true }
            from stopAt in new[] { tailStart - 1, tailStart, tailStart + 1, now + 3600 }
            select Events.Experiment(now, status: status, startAt: tailStart - 7200, stopAt: stopAt) with { Archived = archived }).ToList();
        foreach (var x in experiments) await store.UpsertExperimentAsync(x, now, CancellationToken.None);

        var byRule = experiments.Where(x => LiveExperiment.IsLive(x, now, Tail)).Select(x => x.ExperimentId).ToHashSet();
        var loaded = (await store.LoadLiveExperimentsAsync(now, Tail, CancellationToken.None)).Select(x => x.ExperimentId).ToHashSet();
        var (counted, _) = await store.CountDemandAsync(now, Tail, CancellationToken.None);

        // Running (4 stop times) and Stopped with an open tail (2), not archived.
        Assert.Equal(6, byRule.Count);
        Assert.Equal(byRule, loaded);
        Assert.Equal(byRule.Count, counted);
    }
}

public sealed class When_the_demand_count_is_held_to_the_live_experiment_rule_on_MariaDb : When_the_demand_count_is_held_to_the_live_experiment_rule, IAsyncLifetime
{
    private TestDatabase? _database;

    protected override Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync(_database!.Options);

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
