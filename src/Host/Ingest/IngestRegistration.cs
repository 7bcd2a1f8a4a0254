using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Persisters.Host.Configuration;

namespace Persisters.Host.Ingest;

/// <summary>Wiring of the HTTP front door into the service's web host.</summary>
public static class IngestRegistration
{
    public const string CorsPolicy = "sdk-browsers";

    /// <summary>Options (validated at start), the key verifier, the ingestor, metrics, the per-key rate limiter and CORS.</summary>
    public static IServiceCollection AddPersistersIngest(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddSettings<IngestOptions>(IngestOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<EventIngestor>();
        services.AddApiKeyRateLimiter();
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

    /// <summary>CORS, the API key check and the rate limiter (in that order), then the endpoints.</summary>
    public static WebApplication MapPersistersIngest(this WebApplication app)
    {
        app.UseCors();
        app.UseApiKeyAuthentication();
        app.UseRateLimiter();
        app.MapPost(EventsEndpoint.Path, EventsEndpoint.HandleAsync)
            .WithMetadata(new RequireApiKey(ApiKeyRole.Ingest))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy)
            .RequireCors(CorsPolicy);
        app.MapPost(ExperimentsEndpoint.Path, ExperimentsEndpoint.HandleAsync)
            .WithMetadata(new RequireApiKey(ApiKeyRole.Admin))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy);
        app.MapPost(RegisterEventsEndpoint.Path, RegisterEventsEndpoint.HandleAsync)
            .WithMetadata(new RequireApiKey(ApiKeyRole.Ingest))
            .RequireRateLimiting(ApiKeyAuthentication.RateLimitPolicy)
            .RequireCors(CorsPolicy);
        return app;
    }
}
