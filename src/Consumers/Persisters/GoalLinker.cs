using Persisters.Consumers.Definitions;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// The goal events of a batch that are worth linking, found before any transaction opens (CPU only): each event validated
/// (<see cref="EventValidator"/>), checked for relevance (<see cref="Relevance.OfGoal"/>) and mapped once (user id resolved,
/// user data serialised), then one <see cref="GoalCandidate"/> per experiment that needs it; the others in <see cref="Skipped"/>.
/// </summary>
public sealed class GoalCandidates(EventValidator validator, LiveDefinitions.Snapshot live)
{
    private readonly List<ExperimentDefinition> _experiments = [];

    public List<GoalCandidate> Items { get; } = [];
    public List<(GoalEvent Event, SkipReason Reason)> Skipped { get; } = [];

    public void Add(GoalEvent e)
    {
        _experiments.Clear();
        string? userData = null;
        var reason = validator.Check(e, out var userId) ?? Relevance.OfGoal(live, e, _experiments) ?? validator.SerializeUserData(e.User, out userData);
        if (reason is { } skip)
        {
            Skipped.Add((e, skip));
            return;
        }
        foreach (var x in _experiments) Items.Add(new GoalCandidate(e, userId, userData, x));
    }
}

/// <summary>A valid goal event one live experiment needs, with its resolved user id and stored user data.</summary>
public sealed record GoalCandidate(GoalEvent Event, string UserId, string? UserData, ExperimentDefinition Experiment);

/// <summary>
/// Attributes goal events to the variation each user actually saw (reference §4): per linked
/// experiment, the user's latest stored evaluation of the experiment's flag version at or before
/// the goal, inside the experiment window. One lookup per experiment per call.
/// </summary>
public sealed class GoalLinker(EventStore store)
{
    /// <summary>Links <paramref name="candidates"/> into <paramref name="result"/> (called once per chunk of a batch).</summary>
    public async Task LinkAsync(DbSession session, IReadOnlyList<GoalCandidate> candidates, long nowMs, GoalLinkResult result, CancellationToken ct)
    {
        foreach (var group in candidates.GroupBy(c => c.Experiment.ExperimentId))
        {
            var experiment = group.First().Experiment;
            var users = group.Select(c => c.UserId).ToHashSet();
            var evaluations = (await store.FindEvaluationsAsync(session, experiment.EnvironmentId, experiment.FeatureId,
                    experiment.FeatureVersion, users, experiment.StartAt, experiment.StopAt, ct))
                .ToLookup(l => l.UserId);

            foreach (var c in group)
            {
                EvaluationLink? latest = null;
                var anyLater = false;
                foreach (var link in evaluations[c.UserId])
                {
                    if (link.Timestamp > c.Event.Timestamp) anyLater = true;
                    else if (latest is null || link.Timestamp > latest.Timestamp) latest = link;
                }
                if (latest is not null) result.Linked(c.Event, EventRows.Goal(c, latest, nowMs));
                else if (anyLater) result.LinkSkipped(c.Event, SkipReason.GoalBeforeEvaluation);
                else result.NeedsRetry(c.Event);
            }
        }
    }
}

/// <summary>What became of each goal event of a batch.</summary>
public sealed class GoalLinkResult
{
    private readonly Dictionary<string, GoalEvent> _retry = [];
    private readonly HashSet<string> _linkedEvents = [];
    private readonly Dictionary<string, (GoalEvent Event, SkipReason Reason)> _linkSkips = [];

    /// <summary>Rows to write; a batch read in chunks writes and clears them after each chunk.</summary>
    public List<GoalEventRow> Rows { get; } = [];

    /// <summary>Events with at least one experiment link still waiting for the user's evaluation.</summary>
    public IReadOnlyCollection<GoalEvent> Retry => _retry.Values;

    /// <summary>Events none of whose links can ever be made (every candidate saw the goal before any evaluation).</summary>
    public IEnumerable<(GoalEvent Event, SkipReason Reason)> Unlinkable =>
        _linkSkips.Where(kv => !_linkedEvents.Contains(kv.Key) && !_retry.ContainsKey(kv.Key))
            .Select(kv => kv.Value);

    internal void Linked(GoalEvent e, GoalEventRow row)
    {
        Rows.Add(row);
        _linkedEvents.Add(e.Id);
    }

    internal void LinkSkipped(GoalEvent e, SkipReason reason) => _linkSkips[e.Id] = (e, reason);

    internal void NeedsRetry(GoalEvent e) => _retry[e.Id] = e;
}
