using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Persisters.Host.Api;
using Persisters.Host.Configuration;

namespace Persisters.Host.Ingest;

/// <summary>Wiring of the HTTP front door into the service's web host.</summary>
public static class IngestRegistration
{
    public const string CorsPolicy = "sdk-browsers";

    /// <summary>Options (validated at start), the key verifier, the ingestor, metrics, the per-key rate limiter and CORS.</summary>
    public static IServiceCollection AddPersistersIngest(this IServiceCollection services)
    {
        services.AddSettings<IngestOptions>(IngestOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<EventIngestor>();
        services.AddApiKeyRateLimiter();
        services.AddPersistersApi();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<IngestOptions>>((cors, ingest) => cors.AddPolicy(CorsPolicy, policy =>
        {
            var origins = ingest.Value.CorsOrigins;
            if (origins.Length == 0 || origins.Contains("*")) policy.AllowAnyOrigin(); else policy.WithOrigins(origins);
            policy.WithMethods("POST").WithHeaders("authorization", "content-type").SetPreflightMaxAge(TimeSpan.FromDays(1));
        }));
        return services;
    }

    /// <summary>Fails with the validator's message (exit code 2) when the <c>Ingest</c> section is invalid.</summary>
    public static void ValidateIngestOptions(this IServiceProvider services) => services.ValidateSettings();

    /// <summary>
    /// Problem Details for the API's bodiless errors (<see cref="Api.OperatorApi.UseApiStatusCodeProblems"/>), CORS, the API key check and
    /// the rate limiter (in that order), then the ingest endpoints and the operator API (<see cref="Api.OperatorApi"/>).
    /// </summary>
    public static WebApplication MapPersistersIngest(this WebApplication app)
    {
        app.UseApiStatusCodeProblems();
        app.UseCors();
        app.UseApiKeyAuthentication();
        app.UseRateLimiter();
        app.MapPost(EventsEndpoint.Path, EventsEndpoint.HandleAsync)
            .WithMetadata(new RequireApiKey(ApiKeyRole.Ingest))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy)
            .RequireCors(CorsPolicy)
            .WithOpenApiDocs<Api.EventsRequest, IngestResult>("Send evaluation and goal events",
                "Fields of EvaluationEvent and GoalEvent in camelCase (timestamps in unix seconds; enums by name, any case, or number). Each event " +
                "is validated; the answer counts the accepted ones and lists each rejected one by `kind`, `index`, `id` and `reason`. A 200 means the " +
                "broker accepted every accepted event. 400 not JSON (line and byte named) or no events; 413 over Ingest:MaxRequestBodyBytes or " +
                "Ingest:MaxEventsPerRequest; 503 + Retry-After the broker did not accept (send again: the persisters are idempotent on the event id).");
        app.MapPost(RegisterEventsEndpoint.Path, RegisterEventsEndpoint.HandleAsync)
            .WithMetadata(new RequireApiKey(ApiKeyRole.Ingest))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy)
            .RequireCors(CorsPolicy)
            .WithOpenApiDocs<System.Text.Json.JsonElement, System.Text.Json.JsonElement>("Bucketeer SDKs' register_events",
                "What Bucketeer's SDKs send (`{\"events\":[{\"id\",\"event\":{\"@type\":…},…}]}`); use an ingest key naming exactly one environment. " +
                "Evaluation and goal events are stored as from /v1/events, other types acknowledged and counted. The answer is " +
                "`{\"errors\":{\"<id>\":{\"retriable\":false,\"message\":\"<reason>\"}}}`. 400, 413, 503 as /v1/events.");
        app.MapPersistersApi();
        return app;
    }

    private static RouteHandlerBuilder WithOpenApiDocs<TRequest, TAnswer>(this RouteHandlerBuilder endpoint, string summary, string description) where TRequest : notnull =>
        endpoint.WithTags("Ingest")
            .WithSummary(summary)
            .WithDescription(description)
            .Accepts<TRequest>("application/json")
            .Produces<TAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
