using MassTransit;
using Microsoft.Extensions.Options;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Host.Ingest;

namespace Persisters.Host.Api;

/// <summary>
/// Sends an operator command as a MassTransit request, the same command to the same queue as the CLI verbs
/// (<c>persisters experiments …</c>, <c>persisters autoops …</c>), and turns the answer into HTTP: accepted → 200 with the answer;
/// rejected → Problem Details (RFC 9457) whose <c>detail</c> is the saga's or rule consumer's reason verbatim, with
/// <c>experimentId</c> / <c>ruleId</c>, <c>command</c> and the unchanged <c>experimentStatus</c> / <c>ruleStatus</c> (when it exists) extensions; no answer within <see cref="IngestOptions.PublishTimeout"/> → 504;
/// the service failed on the command (a fault, not a rejection) → 500 naming the exception.
/// </summary>
/// <remarks>
/// Rejections map by what the answer says, never by the reason's wording: no status (the id has no experiment or rule) → 404, except for a
/// create, where it means the command was invalid → 422; a period change rejected while Waiting or Running (the only states where a period
/// may change, so the period itself was invalid) → 422; a create of a rule whose definition passes <see cref="AutoOpsRuleValidation"/> but is
/// rejected anyway (its id or a clause id is taken) → 409; anything else is about the current status → 409.
/// </remarks>
public sealed class OperatorCommandClient(IBus bus, IConfiguration configuration, IOptions<IngestOptions> options)
{
    /// <summary>How long a command waits for its answer (<c>Ingest:PublishTimeout</c>, 10 s by default).</summary>
    public TimeSpan Timeout => options.Value.PublishTimeout;

    /// <summary>Sends <paramref name="command"/> to the experiment lifecycle saga (queue <c>ExperimentLifecycle:EndpointName</c>, read at each call).</summary>
    public Task<IResult> SendExperimentCommandAsync<T>(T command, CancellationToken ct) where T : class =>
        SendAsync<T, ExperimentCommandAccepted, ExperimentCommandRejected>(command, ExperimentLifecycleQueue,
            "the experiment lifecycle", ct,
            a => TypedResults.Ok(new ExperimentCommandAnswer(a.ExperimentId, a.Status, a.Detail)),
            r => Rejection(ExperimentRejectionStatus(r), r.Reason, ("experimentId", r.ExperimentId), r.Command, ("experimentStatus", r.Status?.ToString())));

    /// <summary>Sends <paramref name="command"/> to the auto-ops rule consumer (queue <see cref="AutoOpsRegistration.EndpointName"/>).</summary>
    public Task<IResult> SendRuleCommandAsync<T>(T command, CancellationToken ct) where T : class =>
        SendAsync<T, AutoOpsCommandAccepted, AutoOpsCommandRejected>(command, AutoOpsRegistration.EndpointName, "the auto-ops rule consumer", ct,
            a => TypedResults.Ok(new AutoOpsRuleCommandAnswer(a.RuleId, a.Command, a.Status, a.Deleted, a.Detail)),
            r => Rejection(RuleRejectionStatus(r, command as CreateAutoOpsRule), r.Reason, ("ruleId", r.RuleId), r.Command, ("ruleStatus", r.Status?.ToString())));

    /// <summary>The HTTP status of an experiment command's rejection (see the remarks of the class).</summary>
    public static int ExperimentRejectionStatus(ExperimentCommandRejected r) =>
        r.Command == nameof(CreateExperiment) ? (r.Status is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict)
        : r.Status is null ? StatusCodes.Status404NotFound
        : r.Command == nameof(ChangeExperimentPeriod) && r.Status is ExperimentStatus.Waiting or ExperimentStatus.Running ? StatusCodes.Status422UnprocessableEntity
        : StatusCodes.Status409Conflict;

    /// <summary>The HTTP status of an auto-ops rule command's rejection (see the remarks of the class).</summary>
    public static int RuleRejectionStatus(AutoOpsCommandRejected r, CreateAutoOpsRule? create) =>
        create is not null ? (r.Status is null && AutoOpsRuleValidation.ProblemWithCreate(create) is not null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict)
        : r.Status is null ? StatusCodes.Status404NotFound
        : StatusCodes.Status409Conflict;

    private async Task<IResult> SendAsync<TCommand, TAccepted, TRejected>(TCommand command, string queue, string who, CancellationToken ct,
        Func<TAccepted, IResult> accepted, Func<TRejected, IResult> rejected)
        where TCommand : class where TAccepted : class where TRejected : class
    {
        var answer = await AskAsync<TCommand, TAccepted, TRejected>(command, queue, ct);
        if (answer.Accepted is { } yes) return accepted(yes);
        if (answer.Rejected is { } no) return rejected(no);
        if (answer.Fault is { } reason)
            return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Command failed",
                detail: $"{who} failed on the command: {reason} (see the service's log and the queue's _error queue)");
        return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "No answer",
            detail: $"{who} gave no answer within {Timeout.TotalSeconds:0.###} s (Ingest:PublishTimeout); the command may still be applied: read the state, then send it again");
    }

    /// <summary>
    /// The one request path of every operator command (the API's and the results pages'): sends <paramref name="command"/> to
    /// <c>queue:<paramref name="queue"/></c> with MassTransit's request client and waits up to <see cref="Timeout"/>. Never throws for
    /// a rejection, a timeout (all three fields null) or a fault (<see cref="OperatorAnswer{TAccepted,TRejected}.Fault"/> names the exception).
    /// </summary>
    public async Task<OperatorAnswer<TAccepted, TRejected>> AskAsync<TCommand, TAccepted, TRejected>(TCommand command, string queue, CancellationToken ct)
        where TCommand : class where TAccepted : class where TRejected : class
    {
        var client = bus.CreateRequestClient<TCommand>(new Uri($"queue:{queue}"), RequestTimeout.After(ms: (int)Timeout.TotalMilliseconds));
        try
        {
            var response = await client.GetResponse<TAccepted, TRejected>(command, ct);
            if (response.Is(out Response<TAccepted>? yes)) return new(yes!.Message, null, null);
            response.Is(out Response<TRejected>? no);
            return new(null, no!.Message, null);
        }
        catch (RequestTimeoutException)
        {
            return new(null, null, null);
        }
        catch (RequestFaultException ex)
        {
            return new(null, null, ex.Fault?.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : ex.Message);
        }
    }

    /// <summary>
    /// Asks the calculator to compute one experiment's results now: sends <see cref="CalculateExperimentResults"/> to its queue
    /// (<see cref="Consumers.Calculator.CalculatorQueues.Address"/>). It answers nothing; the stored document shows the outcome.
    /// </summary>
    public async Task RequestCalculationAsync(Guid experimentId, CancellationToken ct)
    {
        var endpoint = await bus.GetSendEndpoint(Consumers.Calculator.CalculatorQueues.Address);
        await endpoint.Send(new CalculateExperimentResults { ExperimentId = experimentId }, ct);
    }

    /// <summary>The lifecycle saga's queue (<c>ExperimentLifecycle:EndpointName</c>, read at each call).</summary>
    public string ExperimentLifecycleQueue => Cli.OperatorCommands.ExperimentLifecycleQueue(configuration);

    private static IResult Rejection(int status, string reason, (string Name, Guid Id) id, string command, (string Name, string? Value) current)
    {
        var extensions = new Dictionary<string, object?> { [id.Name] = id.Id, ["command"] = command };
        if (current.Value is not null) extensions[current.Name] = current.Value;
        var title = status switch
        {
            StatusCodes.Status404NotFound => id.Name == "ruleId" ? "Unknown auto-ops rule" : "Unknown experiment",
            StatusCodes.Status422UnprocessableEntity => "Invalid command",
            _ => "Not possible in the current status",
        };
        return TypedResults.Problem(statusCode: status, title: title, detail: reason, extensions: extensions);
    }
}

/// <summary>
/// An operator command's answer: exactly one of <see cref="Accepted"/> and <see cref="Rejected"/>, or a <see cref="Fault"/> (the
/// consumer threw: the exception's type and message), or none of them when no answer came within the timeout.
/// </summary>
public sealed record OperatorAnswer<TAccepted, TRejected>(TAccepted? Accepted, TRejected? Rejected, string? Fault)
    where TAccepted : class where TRejected : class;
