using MassTransit;
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
/// Sends an operator's experiment command (<see cref="StartExperiment"/>, <see cref="StopExperiment"/>, …) to the experiment
/// lifecycle saga on its queue (<see cref="Cli.OperatorCommands.ExperimentLifecycleQueue"/>) with MassTransit's request client, as
/// the CLI and <c>POST /v1/experiments</c> do (no second path to the tables), and names its answer. Also asks the calculator for a
/// fresh calculation (<see cref="CalculateExperimentResults"/> to <c>queue:experiment-results-calculator</c>).
/// </summary>
/// <param name="timeout">How long to wait for the saga's answer (the pages use <c>Ingest:PublishTimeout</c>).</param>
public sealed class ExperimentCommandSender(IBus bus, IConfiguration configuration, TimeSpan timeout)
{
    /// <summary>Sends <paramref name="command"/> and waits for the saga's answer; never throws for a rejection or a timeout.</summary>
    public async Task<CommandAnswer> SendAsync<T>(Guid experimentId, T command, CancellationToken ct) where T : class
    {
        var queue = Cli.OperatorCommands.ExperimentLifecycleQueue(configuration);
        var client = bus.CreateRequestClient<T>(new Uri($"queue:{queue}"), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
        try
        {
            var response = await client.GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(command, ct);
            if (response.Is(out Response<ExperimentCommandAccepted>? accepted))
                return new CommandAnswer(CommandOutcome.Accepted, accepted!.Message.ExperimentId, accepted.Message.Status, accepted.Message.Detail);
            response.Is(out Response<ExperimentCommandRejected>? rejected);
            var r = rejected!.Message;
            return new CommandAnswer(r.Status is null ? CommandOutcome.UnknownExperiment : CommandOutcome.Rejected, r.ExperimentId, r.Status, r.Reason);
        }
        catch (RequestTimeoutException)
        {
            return new CommandAnswer(CommandOutcome.NoAnswer, experimentId, null, $"the experiment lifecycle gave no answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Asks the calculator to compute the experiment's results now (it answers nothing; the document shows the outcome).</summary>
    public async Task RequestCalculationAsync(Guid experimentId, CancellationToken ct)
    {
        var endpoint = await bus.GetSendEndpoint(Consumers.Calculator.CalculatorQueues.Address);
        await endpoint.Send(new CalculateExperimentResults { ExperimentId = experimentId }, ct);
    }
}
