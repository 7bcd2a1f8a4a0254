using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;

namespace Persisters.Host.Api;

/// <summary>
/// An experiment's results (an <c>admin</c> key): the stored <c>experiment_result</c> document as JSON, one goal of it as the SVG chart of
/// <c>persisters chart</c> (<see cref="SvgChart"/>), and a request for a fresh calculation (<see cref="CalculateExperimentResults"/> to the
/// calculator's queue, as the recurring run sends it).
/// </summary>
public static class ResultsApi
{
    public static RouteGroupBuilder MapResultsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/experiments/{experimentId:guid}").WithTags("Results");
        group.MapGet("/results", GetAsync)
            .WithName("GetExperimentResults")
            .WithSummary("Read an experiment's results")
            .WithDescription("The stored experiment_result document (camelCase, as the calculator wrote it: per goal the Bayesian results at the " +
                             "last cut-off and a daily time series, the evaluation users and the sample-ratio check) plus `calculatedAt`, the unix " +
                             "seconds of its calculation. 404 when the experiment has no stored results yet (or is not the key's environment).")
            .Produces<ExperimentResultDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/results/{goalId}.svg", GetChartAsync)
            .WithName("GetExperimentResultsChart")
            .WithSummary("Chart one goal's results as SVG")
            .WithDescription("The conversion-rate posteriors with their 95% credible intervals and, when the value model ran, value per user: " +
                             "the chart of `persisters chart`, drawn from the stored document. 404 when there are no results or no such goal.")
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/calculations", RequestAsync)
            .WithName("CalculateExperimentResults")
            .WithSummary("Ask for a fresh calculation now")
            .WithDescription("Sends CalculateExperimentResults for this experiment to the calculator's queue and answers 202 at once; the " +
                             "document's `calculatedAt` moves when it is done (seconds, typically). No body. 404 for an unknown experiment.")
            .Produces<CalculationRequested>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>200 the stored document with <c>calculatedAt</c> (unix seconds) added; 404 no stored results.</summary>
    public static async Task<IResult> GetAsync(Guid experimentId, HttpContext context, IPersistersDbContextFactory databases)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.ExperimentResults.AsNoTracking().FirstOrDefaultAsync(r => r.Id == experimentId, context.RequestAborted);
        if (row is null || !ApiRequests.MaySee(context, row.EnvironmentId)) return NoResults(experimentId);
        var document = JsonNode.Parse(row.Data)!.AsObject();
        document["calculatedAt"] = row.UpdatedAt;
        return TypedResults.Text(document.ToJsonString(), "application/json");
    }

    /// <summary>200 image/svg+xml; 404 no stored results or no such goal in them.</summary>
    public static async Task<IResult> GetChartAsync(Guid experimentId, string goalId, HttpContext context, IPersistersDbContextFactory databases)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.ExperimentResults.AsNoTracking().FirstOrDefaultAsync(r => r.Id == experimentId, context.RequestAborted);
        if (row is null || !ApiRequests.MaySee(context, row.EnvironmentId)) return NoResults(experimentId);
        var document = CalculatorJsonContext.Parse(row.Data);
        if (document.Goals.FirstOrDefault(g => g.GoalId == goalId) is not { } goal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown goal",
                detail: $"the results of {experimentId} have no goal '{goalId}'; goals: {string.Join(", ", document.Goals.Select(g => g.GoalId))}",
                extensions: new Dictionary<string, object?> { ["experimentId"] = experimentId, ["goalId"] = goalId });
        }
        return TypedResults.Text(SvgChart.Render(CalcOutput.From(goal.Calculation, goal.GoalId, document.Srm)), "image/svg+xml");
    }

    /// <summary>202 once the command is sent; 404 for an unknown experiment (or not the key's environment).</summary>
    public static async Task<IResult> RequestAsync(Guid experimentId, HttpContext context, IPersistersDbContextFactory databases, OperatorCommandClient client)
    {
        await using (var db = databases.CreateDbContext())
        {
            var environment = await db.Experiments.AsNoTracking().Where(e => e.Id == experimentId).Select(e => e.EnvironmentId).FirstOrDefaultAsync(context.RequestAborted);
            if (environment is null || !ApiRequests.MaySee(context, environment))
                return ApiRequests.NotFound("Unknown experiment", "unknown experiment", "experimentId", experimentId);
        }
        await client.RequestCalculationAsync(experimentId, context.RequestAborted);
        var results = $"{ExperimentsApi.Path}/{experimentId}/results";
        return TypedResults.Accepted(results, new CalculationRequested(experimentId, results, "calculation requested"));
    }

    private static IResult NoResults(Guid experimentId) =>
        ApiRequests.NotFound("No results", "no stored results for this experiment (not calculated yet, or unknown)", "experimentId", experimentId);
}
