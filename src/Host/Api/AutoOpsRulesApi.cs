using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Persisters.Contracts;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Api;

/// <summary>
/// <c>/v1/auto-ops-rules</c> (an <c>admin</c> key): list and read auto-ops rules from table <c>auto_ops_rule</c>, and create, stop and delete
/// them with the rule consumer's commands (<see cref="OperatorCommandClient"/>: 200 accepted, 404/409/422 rejected with its reason, 504 no answer).
/// </summary>
public static class AutoOpsRulesApi
{
    public const string Path = "/v1/auto-ops-rules";

    private const string Errors =
        " Errors (application/problem+json, `detail` = the rule consumer's reason verbatim): 404 unknown rule; 409 not possible in its status " +
        "(`ruleStatus` names it) or an id already taken; 401 no key; 403 not an admin key or not the key's environment; 429 over the key's rate; " +
        "504 no answer within Ingest:PublishTimeout (the command may still be applied).";

    public static RouteGroupBuilder MapAutoOpsRulesApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/auto-ops-rules").WithTags("Auto-ops rules");

        group.MapGet("", ListAsync)
            .WithName("ListAutoOpsRules")
            .WithSummary("List auto-ops rules")
            .WithDescription("Rules that are not deleted (all with `all=true`), newest first, with their event-rate clauses and, once the kill " +
                             "switch fired, the triggering clause and counts. Times are unix seconds except `triggeredAtMs` (milliseconds).");
        group.MapGet("/{ruleId:guid}", GetAsync)
            .WithName("GetAutoOpsRule")
            .WithSummary("Read one auto-ops rule")
            .WithDescription("The rule, deleted or not. 404 (Problem Details) when there is none with this id.")
            .Produces<AutoOpsRule>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("", CreateAsync)
            .WithName("CreateAutoOpsRule")
            .WithSummary("Create an auto-ops rule")
            .WithDescription("Sends CreateAutoOpsRule; the body is its fields in camelCase: `environmentId`, `featureId`, `featureVersion`, " +
                             "`clauses` [{`variationId`, `goalId`, `minCount`, `threshold` (a share in (0, 1]), `operator` GreaterOrEqual|LessOrEqual}]. " +
                             "`ruleId` and each `clauseId` absent = new ids; `action` is Disable (the kill switch). The OPS persisters count its users " +
                             "from now on. The same definition again answers \"already exists\" (200). 422 for an invalid rule; 400 for a body that " +
                             "is not such an object." + Errors)
            .Accepts<CreateAutoOpsRule>("application/json")
            .Produces<AutoOpsRuleCommandAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        Command(group.MapPost("/{ruleId:guid}/stop", (Guid ruleId, HttpContext context, IPersistersDbContextFactory databases, OperatorCommandClient client) =>
                SendAsync(ruleId, context, databases, client, new StopAutoOpsRule { RuleId = ruleId })),
            "StopAutoOpsRule", "Stop an auto-ops rule",
            "Sends StopAutoOpsRule: counting stops, its counts stay. No body. A rule that is not counting answers \"already …\" (200); " +
            "a deleted rule cannot be stopped (409).", mayConflict: true);
        Command(group.MapDelete("/{ruleId:guid}", (Guid ruleId, HttpContext context, IPersistersDbContextFactory databases, OperatorCommandClient client) =>
                SendAsync(ruleId, context, databases, client, new DeleteAutoOpsRule { RuleId = ruleId })),
            "DeleteAutoOpsRule", "Delete an auto-ops rule",
            "Sends DeleteAutoOpsRule: it stops counting and leaves the list (its counts stay); again → \"already deleted\" (200).", mayConflict: false);
        return group;
    }

    /// <summary><c>GET /v1/auto-ops-rules[?all=true]</c>: the rules the key may see, newest first.</summary>
    public static async Task<Ok<List<AutoOpsRule>>> ListAsync(HttpContext context, IPersistersDbContextFactory databases, bool? all)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.AutoOpsRules.AsNoTracking().Where(r => all == true || !r.Deleted).OrderByDescending(r => r.CreatedAt).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(rows.Where(r => ApiRequests.MaySee(context, r.EnvironmentId)).Select(AutoOpsRule.From).ToList());
    }

    /// <summary><c>GET /v1/auto-ops-rules/{ruleId}</c>: 200 the rule, 404 none (or not the key's environment).</summary>
    public static async Task<IResult> GetAsync(Guid ruleId, HttpContext context, IPersistersDbContextFactory databases)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.AutoOpsRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == ruleId, context.RequestAborted);
        return row is not null && ApiRequests.MaySee(context, row.EnvironmentId)
            ? TypedResults.Ok(AutoOpsRule.From(row))
            : ApiRequests.NotFound("Unknown auto-ops rule", "no such rule", "ruleId", ruleId);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, OperatorCommandClient client, IOptions<IngestOptions> options)
    {
        var (command, failure) = await ApiRequests.ReadAsync<CreateAutoOpsRule>(context, options.Value, "with the fields of CreateAutoOpsRule");
        if (command is null) return failure!;
        if (ApiRequests.Forbidden(context, command.EnvironmentId ?? "") is { } forbidden) return forbidden;
        // As the CLI: absent ids are new ones (a clause id is unique across rules: it keys the ops counts).
        command = command with
        {
            RuleId = command.RuleId == Guid.Empty ? NewId.NextGuid() : command.RuleId,
            Clauses = command.Clauses?.Select(c => c is not null && c.ClauseId == Guid.Empty ? c with { ClauseId = NewId.NextGuid() } : c!).ToList() ?? [],
        };
        return await client.SendRuleCommandAsync(command, context.RequestAborted);
    }

    /// <summary>Names and documents a rule command's route: 200 the answer, 404 unknown rule, 409 (when it can be) not possible now, 504 no answer.</summary>
    private static void Command(RouteHandlerBuilder route, string name, string summary, string description, bool mayConflict)
    {
        route.WithName(name)
            .WithSummary(summary)
            .WithDescription(description + Errors)
            .Produces<AutoOpsRuleCommandAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        if (mayConflict) route.ProducesProblem(StatusCodes.Status409Conflict);
        route.ProducesProblem(StatusCodes.Status504GatewayTimeout);
    }

    private static async Task<IResult> SendAsync<T>(Guid ruleId, HttpContext context, IPersistersDbContextFactory databases, OperatorCommandClient client, T command)
        where T : class =>
        await ApiRequests.ForbiddenRuleAsync(context, databases, ruleId) ?? await client.SendRuleCommandAsync(command, context.RequestAborted);
}
