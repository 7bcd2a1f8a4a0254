using Persisters.Contracts;

namespace Persisters.Host.Pages;

/// <summary>How the experiment lifecycle saga answered a command sent by an operator.</summary>
public enum CommandOutcome
{
    /// <summary><see cref="ExperimentCommandAccepted"/>: applied, or it asked for what already holds.</summary>
    Accepted,

    /// <summary><see cref="ExperimentCommandRejected"/> about the experiment's state (its status allows no such transition).</summary>
    Rejected,

    /// <summary><see cref="ExperimentCommandRejected"/> without a status: no experiment has this id.</summary>
    UnknownExperiment,

    /// <summary>No answer within the timeout (the saga's queue is not consumed, or the broker is unavailable).</summary>
    NoAnswer,
}

/// <summary>
/// The saga's answer: <see cref="Detail"/> is the accepted answer's detail ("stopped", "already running") or the rejection's
/// reason, verbatim; <see cref="Status"/> the experiment's status after the command (null when unknown or unanswered).
/// </summary>
public sealed record CommandAnswer(CommandOutcome Outcome, Guid ExperimentId, ExperimentStatus? Status, string Detail);

/// <summary>
/// The results pages' view of an operator's experiment command (<see cref="StartExperiment"/>, <see cref="StopExperiment"/>, …): sent
/// through <see cref="Api.OperatorCommandClient"/>, the one request path the REST API uses too (no second path to the tables), and
/// named as a <see cref="CommandAnswer"/> for the page to show.
/// </summary>
public sealed class ExperimentCommandSender(Api.OperatorCommandClient client)
{
    /// <summary>Sends <paramref name="command"/> and waits for the saga's answer; never throws for a rejection, a timeout or a fault.</summary>
    public async Task<CommandAnswer> SendAsync<T>(Guid experimentId, T command, CancellationToken ct) where T : class
    {
        var answer = await client.AskAsync<T, ExperimentCommandAccepted, ExperimentCommandRejected>(command, client.ExperimentLifecycleQueue, ct);
        if (answer.Accepted is { } a) return new CommandAnswer(CommandOutcome.Accepted, a.ExperimentId, a.Status, a.Detail);
        if (answer.Rejected is { } r) return new CommandAnswer(r.Status is null ? CommandOutcome.UnknownExperiment : CommandOutcome.Rejected, r.ExperimentId, r.Status, r.Reason);
        return new CommandAnswer(CommandOutcome.NoAnswer, experimentId, null, answer.Fault is { } fault
            ? $"the experiment lifecycle failed on the command: {fault}"
            : $"the experiment lifecycle gave no answer within {client.Timeout.TotalSeconds:0.#} s");
    }

    /// <summary>Asks the calculator to compute the experiment's results now (<see cref="Api.OperatorCommandClient.RequestCalculationAsync"/>).</summary>
    public Task RequestCalculationAsync(Guid experimentId, CancellationToken ct) => client.RequestCalculationAsync(experimentId, ct);
}
