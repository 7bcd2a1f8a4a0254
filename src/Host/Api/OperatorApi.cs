using Microsoft.OpenApi;
using Persisters.Host.Ingest;
using Scalar.AspNetCore;

namespace Persisters.Host.Api;

/// <summary>
/// The HTTP operator API next to the ingest endpoints: experiments, auto-ops rules and results under <c>/v1</c> (an <c>admin</c> key, the
/// per-key rate limit), Problem Details (RFC 9457) for every error, the OpenAPI document at <c>/openapi/v1.json</c> and its Scalar
/// reference at <c>/scalar/v1</c> (both without a key: they describe, they do not act).
/// </summary>
public static class OperatorApi
{
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ReferencePath = "/scalar/v1";
    private const string ApiKeyScheme = "apiKey";

    /// <summary>Problem Details, enums by name in JSON answers, the command client and the OpenAPI document (with the API key as its security scheme).</summary>
    public static IServiceCollection AddPersistersApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        // Enums by name in every answer (and so in the OpenAPI schemas), as the stored result document and the request bodies have them.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddSingleton<OperatorCommandClient>();
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Persisters";
                document.Info.Description =
                    "Ingest (evaluation and goal events) and the operator API (experiments, auto-ops rules, results). Every /v1 and " +
                    "/register_events call needs an API key in `Authorization` (bare or after `Bearer `): `persisters keys create`. The operator " +
                    "endpoints need an admin key. Times are unix seconds. Errors are Problem Details (RFC 9457).";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "Authorization",
                    Description = "An API key (pk_…), bare or after `Bearer `. 401 without one; 403 unknown, revoked or too weak (an ingest key on an admin endpoint).",
                };
                return Task.CompletedTask;
            });
            // GET …/results serves the stored document with its calculation time added.
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(Consumers.Calculator.ExperimentResultDocument))
                {
                    schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                    schema.Properties["calculatedAt"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer,
                        Format = "int64",
                        Description = "When the calculator wrote this document, unix seconds (added by GET /v1/experiments/{experimentId}/results).",
                    };
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequireApiKey>().FirstOrDefault() is { } required)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key (Problem Details)." });
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The key is unknown, revoked, or not {required.Role.Label()} (Problem Details)." });
                    operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the key's rate (Ingest:RequestsPerSecondPerKey); Retry-After says when to retry." });
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// Gives every error answer of the API paths (<c>/v1/…</c> and <see cref="RegisterEventsEndpoint.Path"/>) that has no body a Problem Details
    /// body (<c>application/problem+json</c>, RFC 9457), whatever the Accept header: 404 no such route, 405 method not allowed, 415 no or
    /// another Content-Type than application/json, … Other paths (the HTML pages) are left as they are.
    /// </summary>
    public static IApplicationBuilder UseApiStatusCodeProblems(this IApplicationBuilder app) => app.UseStatusCodePages(async pages =>
    {
        var context = pages.HttpContext;
        if (!IsApiPath(context.Request.Path)) return;
        var status = context.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status404NotFound => $"no such resource: {context.Request.Method} {context.Request.Path} (the API reference is at {ReferencePath})",
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path} (the API reference is at {ReferencePath})",
            StatusCodes.Status415UnsupportedMediaType =>
                $"send the body as JSON with Content-Type: application/json (got {(string.IsNullOrEmpty(context.Request.ContentType) ? "no Content-Type" : context.Request.ContentType)})",
            _ => null,
        };
        await Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
    });

    /// <summary>Whether <paramref name="path"/> is one of the API's (JSON answers) rather than a page's (HTML answers).</summary>
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(RegisterEventsEndpoint.Path, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Maps the operator API (create: <see cref="ExperimentsEndpoint"/>; the rest: <see cref="ExperimentsApi"/>, <see cref="AutoOpsRulesApi"/>,
    /// <see cref="ResultsApi"/>) behind an admin key, then the OpenAPI document and the Scalar reference.
    /// </summary>
    public static WebApplication MapPersistersApi(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1")
            .WithMetadata(new RequireApiKey(ApiKeyRole.Admin))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        v1.MapPost("/experiments", ExperimentsEndpoint.HandleAsync)
            .WithTags("Experiments")
            .WithName("CreateExperiment")
            .WithSummary("Create an experiment")
            .WithDescription("Sends CreateExperiment to the experiment lifecycle, as `persisters experiments create`. Body: its fields in camelCase " +
                             "(`environmentId`, `featureId`, `featureVersion`, `variationIds`, `goalIds`; optional `experimentId` (absent = new), " +
                             "`name` (= the feature id), `baselineVariationId` (= the first variation), `startAt` (unix seconds; absent = now), " +
                             "`stopAt` (absent = start + 14 days)). 200 accepted `{experimentId, status, detail}`; 422 invalid (the saga's reason in " +
                             "`detail`); 409 another experiment has this id; 400 not such an object; 403 not the key's environment; 504 no answer " +
                             "within Ingest:PublishTimeout.")
            .Accepts<Contracts.CreateExperiment>("application/json")
            .Produces<ExperimentCommandAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        v1.MapExperimentsApi();
        v1.MapResultsApi();
        v1.MapAutoOpsRulesApi();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o => o.WithTitle("Persisters API"));
        return app;
    }
}
