using Persisters.Consumers.Definitions;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Attributes goal events to the variation each user actually saw (reference §4): per linked
/// experiment, the user's latest stored evaluation of the experiment's flag version at or before
/// the goal, inside the experiment window. One lookup per experiment per batch.
/// </summary>
public sealed class GoalLinker(EventStore store)
{
    public async Task<GoalLinkResult> LinkAsync(
        DbSession session, IReadOnlyList<GoalEvent> events, LiveDefinitions.Snapshot live,
        EventValidator validator, long nowMs, CancellationToken ct)
    {
        var result = new GoalLinkResult();
        await LinkAsync(session, events, live, validator, nowMs, result, ct);
        return result;
    }

    /// <summary>Links more events of the same batch into <paramref name="result"/> (a batch read in chunks).</summary>
    public async Task LinkAsync(
        DbSession session, IReadOnlyList<GoalEvent> events, LiveDefinitions.Snapshot live,
        EventValidator validator, long nowMs, GoalLinkResult result, CancellationToken ct)
    {
        var pending = new List<(GoalEvent Event, string? UserData, ExperimentDefinition Experiment)>();

        foreach (var e in events)
        {
            string? userData = null;
            var reason = validator.Check(e) ?? (live.HasExperimentsIn(e.EnvironmentId) ? null : SkipReason.UnknownEnvironment);
            reason ??= validator.SerializeUserData(e.User, out userData);
            if (reason is not null)
            {
                result.Skip(e, reason.Value);
                continue;
            }
            var candidates = live.ExperimentsOfGoal(e.EnvironmentId, e.GoalId);
            if (candidates.Count == 0)
            {
                result.Skip(e, SkipReason.ExperimentNotFound);
                continue;
            }
            var windowReason = SkipReason.ExperimentNotFound;
            var any = false;
            foreach (var x in candidates)
            {
                if (e.Timestamp < x.StartAt) windowReason = SkipReason.BeforeExperimentStarted;
                else if (e.Timestamp > x.StopAt) windowReason = SkipReason.AfterExperimentEnded;
                else
                {
                    pending.Add((e, userData, x));
                    any = true;
                }
            }
            if (!any) result.Skip(e, windowReason);
        }

        foreach (var group in pending.GroupBy(p => p.Experiment.ExperimentId))
        {
            var experiment = group.First().Experiment;
            var users = group.Select(p => EventValidator.ResolveUserId(p.Event.UserId, p.Event.User)).ToHashSet();
            var evaluations = (await store.FindEvaluationsAsync(session, experiment.EnvironmentId, experiment.FeatureId,
                    experiment.FeatureVersion, users, experiment.StartAt, experiment.StopAt, ct))
                .ToLookup(l => l.UserId);

            foreach (var (e, userData, _) in group)
            {
                var seen = evaluations[EventValidator.ResolveUserId(e.UserId, e.User)];
                EvaluationLink? latest = null;
                var anyLater = false;
                foreach (var link in seen)
                {
                    if (link.Timestamp > e.Timestamp) anyLater = true;
                    else if (latest is null || link.Timestamp > latest.Timestamp) latest = link;
                }
                if (latest is not null) result.Linked(e, EventRows.Goal(e, userData, experiment, latest, nowMs));
                else if (anyLater) result.LinkSkipped(e, SkipReason.GoalBeforeEvaluation);
                else result.NeedsRetry(e);
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
    public List<(GoalEvent Event, SkipReason Reason)> Skipped { get; } = [];

    /// <summary>Events with at least one experiment link still waiting for the user's evaluation.</summary>
    public IReadOnlyCollection<GoalEvent> Retry => _retry.Values;

    /// <summary>Events none of whose links can ever be made (every candidate saw the goal before any evaluation).</summary>
    public IEnumerable<(GoalEvent Event, SkipReason Reason)> Unlinkable =>
        _linkSkips.Where(kv => !_linkedEvents.Contains(kv.Key) && !_retry.ContainsKey(kv.Key))
            .Select(kv => kv.Value);

    internal void Skip(GoalEvent e, SkipReason reason) => Skipped.Add((e, reason));

    internal void Linked(GoalEvent e, GoalEventRow row)
    {
        Rows.Add(row);
        _linkedEvents.Add(e.Id);
    }

    internal void LinkSkipped(GoalEvent e, SkipReason reason) => _linkSkips[e.Id] = (e, reason);

    internal void NeedsRetry(GoalEvent e) => _retry[e.Id] = e;
}
