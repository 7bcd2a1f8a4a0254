using Microsoft.Extensions.Options;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Consumers.Definitions;

/// <summary>
/// The live experiments and active auto-ops rules, read from the database at most once per
/// refresh interval per process (concurrent batches share one read), and dropped at once on
/// <see cref="Invalidate"/> when a definition changes.
/// </summary>
public sealed class LiveDefinitions(DefinitionStore store, IOptions<PersisterOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _snapshot;

    public async Task<Snapshot> GetAsync(CancellationToken ct)
    {
        var current = _snapshot;
        var now = clock.GetUtcNow();
        if (current is not null && now - current.LoadedAt < options.Value.DefinitionsRefreshInterval) return current;

        await _gate.WaitAsync(ct);
        try
        {
            current = _snapshot;
            now = clock.GetUtcNow();
            if (current is not null && now - current.LoadedAt < options.Value.DefinitionsRefreshInterval) return current;
            var experiments = await store.LoadLiveExperimentsAsync(now.ToUnixTimeSeconds(), options.Value.LateEventTail, ct);
            var rules = await store.LoadActiveRulesAsync(ct);
            _snapshot = current = new Snapshot(now, experiments, rules);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _snapshot = null;

    public sealed class Snapshot
    {
        private readonly Dictionary<(string Env, string Feature, int Version), List<ExperimentDefinition>> _byFeature = [];
        private readonly Dictionary<(string Env, string Goal), List<ExperimentDefinition>> _byGoal = [];
        private readonly Dictionary<(string Env, string Feature), List<AutoOpsRuleDefinition>> _rulesByFeature = [];
        private readonly Dictionary<(string Env, string Goal), List<(AutoOpsRuleDefinition Rule, EventRateClause Clause)>> _clausesByGoal = [];
        private readonly HashSet<string> _experimentEnvironments = [];
        private readonly HashSet<string> _ruleEnvironments = [];

        public Snapshot(DateTimeOffset loadedAt, IReadOnlyList<ExperimentDefinition> experiments, IReadOnlyList<AutoOpsRuleDefinition> rules)
        {
            LoadedAt = loadedAt;
            Experiments = experiments;
            Rules = rules;
            foreach (var e in experiments)
            {
                _experimentEnvironments.Add(e.EnvironmentId);
                Add(_byFeature, (e.EnvironmentId, e.FeatureId, e.FeatureVersion), e);
                foreach (var goal in e.GoalIds.Distinct()) Add(_byGoal, (e.EnvironmentId, goal), e);
            }
            foreach (var r in rules)
            {
                _ruleEnvironments.Add(r.EnvironmentId);
                Add(_rulesByFeature, (r.EnvironmentId, r.FeatureId), r);
                foreach (var c in r.Clauses) Add(_clausesByGoal, (r.EnvironmentId, c.GoalId), (r, c));
            }
        }

        public DateTimeOffset LoadedAt { get; }
        public IReadOnlyList<ExperimentDefinition> Experiments { get; }
        public IReadOnlyList<AutoOpsRuleDefinition> Rules { get; }

        public bool HasExperimentsIn(string environmentId) => _experimentEnvironments.Contains(environmentId);
        public bool HasRulesIn(string environmentId) => _ruleEnvironments.Contains(environmentId);

        public IReadOnlyList<ExperimentDefinition> ExperimentsOfFeature(string env, string feature, int version) =>
            _byFeature.TryGetValue((env, feature, version), out var list) ? list : [];

        public IReadOnlyList<ExperimentDefinition> ExperimentsOfGoal(string env, string goal) =>
            _byGoal.TryGetValue((env, goal), out var list) ? list : [];

        public IReadOnlyList<AutoOpsRuleDefinition> RulesOfFeature(string env, string feature) =>
            _rulesByFeature.TryGetValue((env, feature), out var list) ? list : [];

        public IReadOnlyList<(AutoOpsRuleDefinition Rule, EventRateClause Clause)> ClausesOfGoal(string env, string goal) =>
            _clausesByGoal.TryGetValue((env, goal), out var list) ? list : [];

        private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value) where TKey : notnull
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(value);
        }
    }
}
