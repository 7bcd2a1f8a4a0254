using MassTransit;
using Persisters.Contracts;
using Persisters.Host.Api;

namespace Persisters.Host.Ingest;

/// <summary>
/// <c>POST /v1/experiments</c> (an <c>admin</c> key): creates an experiment through the experiment-lifecycle saga, the same
/// <see cref="CreateExperiment"/> command <c>persisters experiments create</c> sends, so the embedded default (whose in-memory bus
/// no other process reaches) can be given one. Body: the contract's fields in camelCase; <c>experimentId</c> absent = a new id,
/// <c>startAt</c> absent or 0 = now (unix seconds), <c>stopAt</c> absent or 0 = <c>startAt</c> + 14 days, <c>baselineVariationId</c>
/// absent = the first variation, <c>name</c> absent = the feature id. Answers as every operator command (<see cref="OperatorCommandClient"/>):
/// 200 <c>{"experimentId","status","detail"}</c> when the saga accepted it, 422 Problem Details with the saga's reason as <c>detail</c> when
/// it rejected it as invalid (the saga's rules, src/Sagas/README.md), 409 when another experiment has the id, 400 for a body that is not
/// such an object, 403 for an environment the key may not act for, 504 when the saga gave no answer within <see cref="IngestOptions.PublishTimeout"/>.
/// </summary>
public static class ExperimentsEndpoint
{
    public const string Path = "/v1/experiments";
    public const string MetricsLabel = "v1_experiments";

    public static Task<IResult> HandleAsync(HttpContext context, OperatorCommandClient client, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<IngestOptions> options, IngestMetrics metrics) =>
        RequestBodies.CountedAsync(metrics, MetricsLabel, () => AnswerAsync(context, client, clock, options.Value));

    private static async Task<IResult> AnswerAsync(HttpContext context, OperatorCommandClient client, TimeProvider clock, IngestOptions o)
    {
        var (command, failure) = await ApiRequests.ReadAsync<CreateExperiment>(context, o, "with the fields of CreateExperiment");
        if (command is null) return failure!;
        if (ApiRequests.Forbidden(context, command.EnvironmentId ?? "") is { } forbidden) return forbidden;
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var startAt = command.StartAt > 0 ? command.StartAt : now;
        command = command with
        {
            ExperimentId = command.ExperimentId == Guid.Empty ? NewId.NextGuid() : command.ExperimentId,
            Name = string.IsNullOrEmpty(command.Name) ? command.FeatureId ?? "" : command.Name,
            BaselineVariationId = string.IsNullOrEmpty(command.BaselineVariationId) ? command.VariationIds?.FirstOrDefault() ?? "" : command.BaselineVariationId,
            StartAt = startAt,
            StopAt = command.StopAt > 0 ? command.StopAt : startAt + 14 * 86_400L,
        };
        return await client.SendExperimentCommandAsync(command, context.RequestAborted);
    }
}
