using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Persisters.Contracts;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Api;

/// <summary>
/// <c>/v1/experiments</c> (an <c>admin</c> key): list and read experiments from table <c>experiment</c>, and drive them with the
/// lifecycle saga's commands (<see cref="OperatorCommandClient"/>: 200 accepted, 404/409/422 rejected with the saga's reason, 504 no answer).
/// A key that names environments sees and acts on those only (403 for a command on another one's experiment).
/// </summary>
public static class ExperimentsApi
{
    public const string Path = "/v1/experiments";

    private const string Errors =
        " Errors (application/problem+json, `detail` = the saga's reason verbatim): 404 unknown experiment; 409 not possible in its status " +
        "(`experimentStatus` names it); 401 no key; 403 not an admin key or not the key's environment; 429 over the key's rate; 504 the lifecycle " +
        "gave no answer within Ingest:PublishTimeout (the command may still be applied).";

    public static RouteGroupBuilder MapExperimentsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/experiments").WithTags("Experiments");

        group.MapGet("", ListAsync)
            .WithName("ListExperiments")
            .WithSummary("List experiments")
            .WithDescription("Experiments newest first, archived ones only with `all=true`. Times are unix seconds; `status` is Waiting, Running, " +
                             "Stopped (taking late events), ForceStopped or Finished.");
        group.MapGet("/{experimentId:guid}", GetAsync)
            .WithName("GetExperiment")
            .WithSummary("Read one experiment")
            .WithDescription("The experiment, archived or not. 404 (Problem Details) when there is none with this id.")
            .Produces<Experiment>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        Command(group, "start", "StartExperiment", "Start a waiting experiment now",
            "Sends StartExperiment. A running experiment answers \"already running\" (200); a stopped or finished one cannot start again (409).",
            id => new StartExperiment { ExperimentId = id });
        Command(group, "stop", "StopExperiment", "Stop an experiment",
            "Sends StopExperiment. A running experiment stops now and takes late events until its tail ends (status Stopped); a waiting one " +
            "finishes at once; a stopped or finished one answers \"already …\" (200).",
            id => new StopExperiment { ExperimentId = id });
        Command(group, "force-stop", "ForceStopExperiment", "Force-stop an experiment",
            "Sends ForceStopExperiment: stops at once, without the late-event tail (status ForceStopped).",
            id => new ForceStopExperiment { ExperimentId = id });
        Command(group, "archive", "ArchiveExperiment", "Archive an experiment",
            "Sends ArchiveExperiment: only a Finished or ForceStopped experiment can be archived (409 otherwise); archived ones leave the list.",
            id => new ArchiveExperiment { ExperimentId = id });

        group.MapPost("/{experimentId:guid}/period", ChangePeriodAsync)
            .WithName("ChangeExperimentPeriod")
            .WithSummary("Move the planned start and stop")
            .WithDescription("Sends ChangeExperimentPeriod with the body `{startAt, stopAt}` (unix seconds). Only a Waiting or Running experiment's " +
                             "period can change (409 otherwise); an invalid period is 422 (stop not after start or not in the future, a running " +
                             "experiment's start in the future, milliseconds for seconds). 400 for a body that is not such an object." + Errors)
            .Accepts<ExperimentPeriod>("application/json")
            .Produces<ExperimentCommandAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return group;
    }

    /// <summary><c>GET /v1/experiments[?all=true]</c>: the experiments the key may see, newest first.</summary>
    public static async Task<Ok<List<Experiment>>> ListAsync(HttpContext context, IPersistersDbContextFactory databases, bool? all)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Experiments.AsNoTracking().Where(e => all == true || !e.Archived).OrderByDescending(e => e.CreatedAt).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(rows.Where(r => ApiRequests.MaySee(context, r.EnvironmentId)).Select(Experiment.From).ToList());
    }

    /// <summary><c>GET /v1/experiments/{experimentId}</c>: 200 the experiment, 404 none (or not the key's environment).</summary>
    public static async Task<IResult> GetAsync(Guid experimentId, HttpContext context, IPersistersDbContextFactory databases)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Experiments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == experimentId, context.RequestAborted);
        return row is not null && ApiRequests.MaySee(context, row.EnvironmentId)
            ? TypedResults.Ok(Experiment.From(row))
            : ApiRequests.NotFound("Unknown experiment", "unknown experiment", "experimentId", experimentId);
    }

    private static void Command<T>(RouteGroupBuilder group, string verb, string name, string summary, string description, Func<Guid, T> command)
        where T : class =>
        group.MapPost($"/{{experimentId:guid}}/{verb}", async (Guid experimentId, HttpContext context, IPersistersDbContextFactory databases, OperatorCommandClient client) =>
                await ApiRequests.ForbiddenExperimentAsync(context, databases, experimentId)
                ?? await client.SendExperimentCommandAsync(command(experimentId), context.RequestAborted))
            .WithName(name)
            .WithSummary(summary)
            .WithDescription(description + " No body." + Errors)
            .Produces<ExperimentCommandAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

    private static async Task<IResult> ChangePeriodAsync(Guid experimentId, HttpContext context, IPersistersDbContextFactory databases,
        OperatorCommandClient client, IOptions<IngestOptions> options)
    {
        var (period, failure) = await ApiRequests.ReadAsync<ExperimentPeriod>(context, options.Value, "{\"startAt\":unix seconds,\"stopAt\":unix seconds}");
        if (period is null) return failure!;
        return await ApiRequests.ForbiddenExperimentAsync(context, databases, experimentId)
               ?? await client.SendExperimentCommandAsync(new ChangeExperimentPeriod { ExperimentId = experimentId, StartAt = period.StartAt, StopAt = period.StopAt },
                   context.RequestAborted);
    }
}
