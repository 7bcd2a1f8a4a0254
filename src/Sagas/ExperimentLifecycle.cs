using MassTransit;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Sagas.Persistence;

namespace Persisters.Sagas;

/// <summary>
/// One experiment from creation to the end of its late-event tail:
/// <c>Waiting → Running → Stopped (late-event tail) → Finished</c>, or <c>ForceStopped</c> from any of the first three;
/// archiving is a flag on a finished or force-stopped experiment.
/// <para>
/// Time-based moves (start at <c>start_at</c>, stop at <c>stop_at</c>, finish at <c>stop_at + LateEventTail</c>) are
/// scheduled messages (state-machine <c>Schedule</c>), so they fire on time and survive restarts when the bus has a
/// durable scheduler. A timer whose token is no longer the saga's is stale and MassTransit drops it.
/// Every command is answered (<c>RespondAsync</c>: to the response address of a request, else published):
/// <see cref="ExperimentCommandAccepted"/> (a repeat says "already ...") or <see cref="ExperimentCommandRejected"/> with the reason.
/// </para>
/// <para>
/// Choices: <c>StartExperiment</c> moves <c>start_at</c> to now only when now is earlier than the planned start (a late
/// command never rewrites an earlier real start). Stopping a running experiment early moves <c>stop_at</c> to now, because
/// the persisters and the finish timer both count the tail from <c>stop_at</c>. Stopping a waiting experiment finishes it at
/// once: it never took events, so a tail would only keep the persisters up for nothing.
/// </para>
/// </summary>
public sealed class ExperimentLifecycle : MassTransitStateMachine<ExperimentState>
{
    private readonly ExperimentLifecycleOptions _options;
    private readonly TimeProvider _clock;

    public ExperimentLifecycle(ExperimentLifecycleOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;

        InstanceState(x => x.CurrentState);

        Event(() => Create, e => e.CorrelateById(c => c.Message.ExperimentId));
        Event(() => Start, e => CommandFor(e, c => c.Message.ExperimentId));
        Event(() => Stop, e => CommandFor(e, c => c.Message.ExperimentId));
        Event(() => ForceStop, e => CommandFor(e, c => c.Message.ExperimentId));
        Event(() => ChangePeriod, e => CommandFor(e, c => c.Message.ExperimentId));
        Event(() => Archive, e => CommandFor(e, c => c.Message.ExperimentId));

        Schedule(() => StartTimer, x => x.StartTimerTokenId, s => s.Received = r => TimerFor(r, c => c.Message.ExperimentId));
        Schedule(() => StopTimer, x => x.StopTimerTokenId, s => s.Received = r => TimerFor(r, c => c.Message.ExperimentId));
        Schedule(() => FinishTimer, x => x.FinishTimerTokenId, s => s.Received = r => TimerFor(r, c => c.Message.ExperimentId));

        Initially(
            When(Create)
                .IfElse(c => ProblemWithCreate(c) is not null,
                    invalid => invalid
                        .Respond(c => Rejected(c, ProblemWithCreate(c)!))
                        .Finalize(),
                    valid => valid
                        .Then(c => Define(c.Saga, c.Message))
                        .Publish(c => CreatedEvent(c))
                        .IfElse(c => c.Saga.StartAt <= Now(c),
                            startsNow => startsNow
                                .Apply(BeginRunning)
                                .Respond(c => Accepted(c, "created and started")),
                            startsLater => startsLater
                                .Apply(ScheduleStart)
                                .TransitionTo(Waiting)
                                .Respond(c => Accepted(c, "created")))));

        During(Waiting,
            When(Start)
                .Then(c => c.Saga.StartAt = Math.Min(c.Saga.StartAt, Now(c)))
                .Unschedule(StartTimer)
                .Apply(BeginRunning)
                .Respond(c => Accepted(c, "started")),
            When(StartTimer.Received)
                .Apply(BeginRunning),
            When(Stop)
                .Unschedule(StartTimer)
                .Then(c => c.Saga.StoppedAt = Now(c))
                .TransitionTo(Finished)
                .Publish(c => StoppedEvent(c, lateEventsUntil: Now(c)))
                .Publish(c => FinishedEvent(c))
                .Respond(c => Accepted(c, "stopped before it started: finished")),
            When(ForceStop)
                .Unschedule(StartTimer)
                .Then(c => c.Saga.StoppedAt = Now(c))
                .TransitionTo(ForceStopped)
                .Publish(c => ForceStoppedEvent(c))
                .Respond(c => Accepted(c, "force-stopped before it started")),
            When(ChangePeriod)
                .Apply(b => ChangingPeriod(b, ProblemWithPeriod, ScheduleStart)),
            When(Archive)
                .Respond(c => Rejected(c, "only a finished or force-stopped experiment can be archived")));

        During(Running,
            When(Start)
                .Respond(c => Accepted(c, "already running")),
            When(Stop)
                .Unschedule(StopTimer)
                .Apply(BeginTail)
                .Respond(c => Accepted(c, "stopped")),
            When(StopTimer.Received)
                .Apply(BeginTail),
            When(ForceStop)
                .Unschedule(StopTimer)
                .Then(c => (c.Saga.StopAt, c.Saga.StoppedAt) = (Math.Min(c.Saga.StopAt, Now(c)), Now(c)))
                .TransitionTo(ForceStopped)
                .Publish(c => ForceStoppedEvent(c))
                .Publish(c => DemandChanged(c))
                .Respond(c => Accepted(c, "force-stopped")),
            When(ChangePeriod)
                .Apply(b => ChangingPeriod(b, ProblemWithRunningPeriod, ScheduleStop)),
            When(Archive)
                .Respond(c => Rejected(c, "only a finished or force-stopped experiment can be archived; stop it first")));

        During(Stopped,
            When(Start)
                .Respond(c => Rejected(c, "a stopped experiment cannot start again")),
            When(Stop)
                .Respond(c => Accepted(c, "already stopped")),
            When(FinishTimer.Received)
                .TransitionTo(Finished)
                .Publish(c => FinishedEvent(c))
                .Publish(c => DemandChanged(c)),
            When(ForceStop)
                .Unschedule(FinishTimer)
                .TransitionTo(ForceStopped)
                .Publish(c => ForceStoppedEvent(c))
                .Publish(c => DemandChanged(c))
                .Respond(c => Accepted(c, "force-stopped: late-event tail ended")),
            When(ChangePeriod)
                .Respond(c => Rejected(c, "the period of a stopped experiment cannot change")),
            When(Archive)
                .Respond(c => Rejected(c, "a stopped experiment takes late events until its tail ends; force-stop it or wait")));

        During(Finished, ForceStopped,
            When(Start)
                .Respond(c => Rejected(c, $"a {Describe(c.Saga)} experiment cannot start again")),
            When(Stop)
                .Respond(c => Accepted(c, $"already {Describe(c.Saga)}")),
            When(ForceStop)
                .Respond(c => Accepted(c, $"already {Describe(c.Saga)}")),
            When(ChangePeriod)
                .Respond(c => Rejected(c, $"the period of a {Describe(c.Saga)} experiment cannot change")),
            When(Archive, c => c.Saga.Archived)
                .Respond(c => Accepted(c, "already archived")),
            When(Archive, c => !c.Saga.Archived)
                .Then(c => c.Saga.Archived = true)
                .Publish(c => new ExperimentArchived { ExperimentId = c.Saga.CorrelationId, EnvironmentId = c.Saga.EnvironmentId, Timestamp = Now(c) })
                .Respond(c => Accepted(c, "archived")));

        DuringAny(
            When(Create, c => ExperimentRules.IsSameExperiment(c.Saga, c.Message))
                .Respond(c => Accepted(c, "already created")),
            When(Create, c => !ExperimentRules.IsSameExperiment(c.Saga, c.Message))
                .Respond(c => Rejected(c, "another experiment already has this id")));

        // A timer raised in a state that does not expect it lost a race with a command: drop it. Anything else
        // unhandled is a gap in this machine and faults (MassTransit's default), so it shows in the _error queue.
        OnUnhandledEvent(c => IsTimer(c.Event) ? c.Ignore() : c.Throw());

        // Only a rejected create ends in Final; the repository discards it, nothing is stored.
        SetCompletedWhenFinalized();
    }

    public State Waiting { get; private set; } = null!;
    public State Running { get; private set; } = null!;
    /// <summary>Stopped, still taking late events until <c>stop_at + LateEventTail</c>.</summary>
    public State Stopped { get; private set; } = null!;
    public State Finished { get; private set; } = null!;
    public State ForceStopped { get; private set; } = null!;

    public Event<CreateExperiment> Create { get; private set; } = null!;
    public Event<StartExperiment> Start { get; private set; } = null!;
    public Event<StopExperiment> Stop { get; private set; } = null!;
    public Event<ForceStopExperiment> ForceStop { get; private set; } = null!;
    public Event<ChangeExperimentPeriod> ChangePeriod { get; private set; } = null!;
    public Event<ArchiveExperiment> Archive { get; private set; } = null!;

    public Schedule<ExperimentState, ExperimentStartTimeReached> StartTimer { get; private set; } = null!;
    public Schedule<ExperimentState, ExperimentStopTimeReached> StopTimer { get; private set; } = null!;
    public Schedule<ExperimentState, ExperimentLateEventTailEnded> FinishTimer { get; private set; } = null!;

    /// <summary>Waiting until <c>start_at</c> (at once when it has passed).</summary>
    private EventActivityBinder<ExperimentState, T> ScheduleStart<T>(EventActivityBinder<ExperimentState, T> binder) where T : class =>
        binder.Schedule(StartTimer,
            c => new ExperimentStartTimeReached { ExperimentId = c.Saga.CorrelationId, DueAt = c.Saga.StartAt },
            c => At(c, c.Saga.StartAt));

    /// <summary>Running until <c>stop_at</c>.</summary>
    private EventActivityBinder<ExperimentState, T> ScheduleStop<T>(EventActivityBinder<ExperimentState, T> binder) where T : class =>
        binder.Schedule(StopTimer,
            c => new ExperimentStopTimeReached { ExperimentId = c.Saga.CorrelationId, DueAt = c.Saga.StopAt },
            c => At(c, c.Saga.StopAt));

    /// <summary>Running from now until <c>stop_at</c>: the experiment takes events, the persisters are needed.</summary>
    private EventActivityBinder<ExperimentState, T> BeginRunning<T>(EventActivityBinder<ExperimentState, T> binder) where T : class =>
        binder
            .Apply(ScheduleStop)
            .TransitionTo(Running)
            .Publish(c => new ExperimentStarted
            {
                ExperimentId = c.Saga.CorrelationId,
                EnvironmentId = c.Saga.EnvironmentId,
                FeatureId = c.Saga.FeatureId,
                FeatureVersion = c.Saga.FeatureVersion,
                StartAt = c.Saga.StartAt,
                StopAt = c.Saga.StopAt,
                Timestamp = Now(c),
            })
            .Publish(c => DemandChanged(c));

    /// <summary>
    /// A period change: rejected with <paramref name="problem"/>'s reason when it has one, "already has this period" when
    /// nothing moves, else the new start and stop are kept and <paramref name="reschedule"/> sets the pending timer again.
    /// </summary>
    private EventActivityBinder<ExperimentState, ChangeExperimentPeriod> ChangingPeriod(
        EventActivityBinder<ExperimentState, ChangeExperimentPeriod> binder,
        Func<BehaviorContext<ExperimentState, ChangeExperimentPeriod>, string?> problem,
        Func<EventActivityBinder<ExperimentState, ChangeExperimentPeriod>, EventActivityBinder<ExperimentState, ChangeExperimentPeriod>> reschedule) =>
        binder.IfElse(c => problem(c) is not null,
            invalid => invalid
                .Respond(c => Rejected(c, problem(c)!)),
            valid => valid
                .IfElse(c => HasPeriod(c.Saga, c.Message),
                    same => same
                        .Respond(c => Accepted(c, "already has this period")),
                    changed => changed
                        .Then(c => (c.Saga.StartAt, c.Saga.StopAt) = (c.Message.StartAt, c.Message.StopAt))
                        .Apply(reschedule)
                        .Respond(c => Accepted(c, "period changed"))));

    /// <summary>Stopped now: late events are still taken until <c>stop_at + LateEventTail</c>, when the finish timer fires.</summary>
    private EventActivityBinder<ExperimentState, T> BeginTail<T>(EventActivityBinder<ExperimentState, T> binder) where T : class =>
        binder
            .Then(c => (c.Saga.StopAt, c.Saga.StoppedAt) = (Math.Min(c.Saga.StopAt, Now(c)), Now(c)))
            .Schedule(FinishTimer,
                c => new ExperimentLateEventTailEnded { ExperimentId = c.Saga.CorrelationId, DueAt = TailEnd(c.Saga) },
                c => At(c, TailEnd(c.Saga)))
            .TransitionTo(Stopped)
            .Publish(c => StoppedEvent(c, TailEnd(c.Saga)));

    /// <summary>Now in unix seconds, read once per message (see <see cref="ExperimentState.ProcessingTime"/>).</summary>
    private long Now(BehaviorContext<ExperimentState> c) => c.Saga.ProcessingTime ??= _clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>A due time in the past fires at once.</summary>
    private DateTime At(BehaviorContext<ExperimentState> c, long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Max(unixSeconds, Now(c))).UtcDateTime;

    private long TailEnd(ExperimentState s) => s.StopAt + _options.LateEventTailSeconds;

    private string? ProblemWithCreate(BehaviorContext<ExperimentState, CreateExperiment> c) =>
        ExperimentRules.ProblemWithCreate(c.Message, Now(c), _options.LateEventTailSeconds);

    private string? ProblemWithPeriod(BehaviorContext<ExperimentState, ChangeExperimentPeriod> c) =>
        ExperimentRules.ProblemWithPeriod(c.Message.StartAt, c.Message.StopAt, Now(c), _options.LateEventTailSeconds);

    private string? ProblemWithRunningPeriod(BehaviorContext<ExperimentState, ChangeExperimentPeriod> c) =>
        ExperimentRules.ProblemWithRunningPeriod(c.Message.StartAt, c.Message.StopAt, Now(c), _options.LateEventTailSeconds);

    private static void Define(ExperimentState s, CreateExperiment m)
    {
        s.EnvironmentId = m.EnvironmentId;
        s.Name = m.Name;
        s.FeatureId = m.FeatureId;
        s.FeatureVersion = m.FeatureVersion;
        s.VariationIds = [.. m.VariationIds];
        s.BaselineVariationId = m.BaselineVariationId;
        s.GoalIds = ExperimentRules.DistinctGoals(m.GoalIds);
        s.StartAt = m.StartAt;
        s.StopAt = m.StopAt;
    }

    private static bool HasPeriod(ExperimentState s, ChangeExperimentPeriod m) => s.StartAt == m.StartAt && s.StopAt == m.StopAt;

    private bool IsTimer(Event e) =>
        e == StartTimer.Received || e == StopTimer.Received || e == FinishTimer.Received
        || e == StartTimer.AnyReceived || e == StopTimer.AnyReceived || e == FinishTimer.AnyReceived;

    private static string Describe(ExperimentState s) => s.CurrentState == nameof(ForceStopped) ? "force-stopped" : "finished";

    private static ExperimentCommandAccepted Accepted<T>(BehaviorContext<ExperimentState, T> c, string detail) where T : class => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        Command = typeof(T).Name,
        Status = ExperimentStateMapping.ToStatus(c.Saga.CurrentState),
        Detail = detail,
    };

    private static ExperimentCommandRejected Rejected<T>(BehaviorContext<ExperimentState, T> c, string reason) where T : class => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        Command = typeof(T).Name,
        Status = ExperimentStateMapping.TryToStatus(c.Saga.CurrentState),
        Reason = reason,
    };

    private ExperimentCreated CreatedEvent(BehaviorContext<ExperimentState> c) => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        EnvironmentId = c.Saga.EnvironmentId,
        Name = c.Saga.Name,
        FeatureId = c.Saga.FeatureId,
        FeatureVersion = c.Saga.FeatureVersion,
        VariationIds = c.Saga.VariationIds,
        BaselineVariationId = c.Saga.BaselineVariationId,
        GoalIds = c.Saga.GoalIds,
        StartAt = c.Saga.StartAt,
        StopAt = c.Saga.StopAt,
        Timestamp = Now(c),
    };

    private ExperimentStopped StoppedEvent(BehaviorContext<ExperimentState> c, long lateEventsUntil) => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        EnvironmentId = c.Saga.EnvironmentId,
        StopAt = c.Saga.StopAt,
        StoppedAt = c.Saga.StoppedAt ?? Now(c),
        LateEventsUntil = lateEventsUntil,
        Timestamp = Now(c),
    };

    private ExperimentFinished FinishedEvent(BehaviorContext<ExperimentState> c) => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        EnvironmentId = c.Saga.EnvironmentId,
        Timestamp = Now(c),
    };

    private ExperimentForceStopped ForceStoppedEvent(BehaviorContext<ExperimentState> c) => new()
    {
        ExperimentId = c.Saga.CorrelationId,
        EnvironmentId = c.Saga.EnvironmentId,
        StoppedAt = c.Saga.StoppedAt ?? Now(c),
        Timestamp = Now(c),
    };

    /// <summary>Published after the transition, so it carries the new status.</summary>
    private PersisterDemandChanged DemandChanged(BehaviorContext<ExperimentState> c)
    {
        var status = ExperimentStateMapping.ToStatus(c.Saga.CurrentState);
        return new PersisterDemandChanged
        {
            ExperimentId = c.Saga.CorrelationId,
            EnvironmentId = c.Saga.EnvironmentId,
            Status = status,
            // In Stopped the tail is open: the finish timer ends that state when it closes.
            IsLive = LiveExperiment.IsLive(status, c.Saga.Archived, tailOpen: status == ExperimentStatus.Stopped),
            Timestamp = Now(c),
        };
    }

    /// <summary>A command: for an id without an experiment the sender hears "unknown experiment".</summary>
    private static void CommandFor<T>(IEventCorrelationConfigurator<ExperimentState, T> e, Func<ConsumeContext<T>, Guid> experimentId)
        where T : class
    {
        e.CorrelateById(experimentId);
        e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new ExperimentCommandRejected
        {
            ExperimentId = experimentId(c),
            Command = typeof(T).Name,
            Status = null,
            Reason = "unknown experiment",
        })));
    }

    /// <summary>A timer of an experiment that no longer exists is dropped.</summary>
    private static void TimerFor<T>(IEventCorrelationConfigurator<ExperimentState, T> e, Func<ConsumeContext<T>, Guid> experimentId)
        where T : class
    {
        e.CorrelateById(experimentId);
        e.OnMissingInstance(m => m.Discard());
    }
}
