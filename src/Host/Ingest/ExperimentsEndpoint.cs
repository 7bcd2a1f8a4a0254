using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Persisters.Contracts;

namespace Persisters.Host.Ingest;

/// <summary>
/// <c>POST /v1/experiments</c> (an <c>admin</c> key): creates an experiment through the experiment-lifecycle saga, the same
/// <see cref="CreateExperiment"/> command <c>persisters experiments create</c> sends, so the embedded default (whose in-memory bus
/// no other process reaches) can be given one. Body: the contract's fields in camelCase; <c>experimentId</c> absent = a new id,
/// <c>startAt</c> absent or 0 = now (unix seconds), <c>stopAt</c> absent or 0 = <c>startAt</c> + 14 days, <c>baselineVariationId</c>
/// absent = the first variation, <c>name</c> absent = the feature id. Answers 200 <c>{"experimentId","status","detail"}</c> when the
/// saga accepted it, 422 <c>{"experimentId","reason"}</c> when it rejected it (the saga's rules, src/Sagas/README.md), 400 for a body
/// that is not such an object, 503 + Retry-After when the saga gave no answer within <see cref="IngestOptions.PublishTimeout"/>.
/// </summary>
public static class ExperimentsEndpoint
{
    public const string Path = "/v1/experiments";
    public const string MetricsLabel = "v1_experiments";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Task<IResult> HandleAsync(HttpContext context, IBus bus, IConfiguration configuration, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<IngestOptions> options, IngestMetrics metrics) =>
        RequestBodies.CountedAsync(metrics, MetricsLabel, () => AnswerAsync(context, bus, configuration, clock, options.Value));

    private static async Task<IResult> AnswerAsync(HttpContext context, IBus bus, IConfiguration configuration, TimeProvider clock, IngestOptions o)
    {
        var (document, failure) = await RequestBodies.ReadJsonAsync(context, o);
        if (document is null) return failure!;
        CreateExperiment? command;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return RequestBodies.BadRequest("the body must be a JSON object with the fields of CreateExperiment");
            try
            {
                command = document.RootElement.Deserialize<CreateExperiment>(Json);
            }
            catch (JsonException ex)
            {
                return RequestBodies.Malformed(ex);
            }
        }
        if (command is null) return RequestBodies.BadRequest("the body must be a JSON object with the fields of CreateExperiment");
        var caller = ApiKeyAuthentication.Caller(context);
        if (!caller.MayPostFor(command.EnvironmentId))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Environment not allowed", detail: $"this key may not act for environment '{command.EnvironmentId}'");
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
        var queue = Cli.OperatorCommands.ExperimentLifecycleQueue(configuration);
        var client = bus.CreateRequestClient<CreateExperiment>(new Uri($"queue:{queue}"), RequestTimeout.After(ms: (int)o.PublishTimeout.TotalMilliseconds));
        try
        {
            var response = await client.GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(command, context.RequestAborted);
            if (response.Is(out Response<ExperimentCommandAccepted>? accepted))
                return Results.Json(new { accepted!.Message.ExperimentId, Status = accepted.Message.Status.ToString(), accepted.Message.Detail }, Json);
            response.Is(out Response<ExperimentCommandRejected>? rejected);
            return Results.Json(new { rejected!.Message.ExperimentId, rejected.Message.Reason }, Json, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (RequestTimeoutException)
        {
            return RequestBodies.BrokerUnavailable(context, o.RetryAfter, "the experiment lifecycle gave no answer in time");
        }
    }
}
