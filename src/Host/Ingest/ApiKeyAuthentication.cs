using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Persisters.Host.Ingest;

/// <summary>Endpoint metadata: the endpoint needs an API key of at least this role.</summary>
public sealed record RequireApiKey(ApiKeyRole Role);

/// <summary>
/// The API key check in front of every endpoint marked <see cref="RequireApiKey"/> (health and metrics are not): the key comes in
/// <c>Authorization</c>, bare (as Bucketeer's SDKs send it) or after <c>Bearer </c>. No key → 401; an unknown, revoked or
/// too weak key → 403; keys table unreadable at the first request → 503. The caller is kept for the endpoint and the rate limiter.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string RateLimitPolicy = "per-api-key";

    /// <summary>The verified caller of the request (set by the middleware before the endpoint runs).</summary>
    public static ApiCaller Caller(HttpContext context) =>
        context.Items[typeof(ApiCaller)] as ApiCaller ?? throw new InvalidOperationException("The endpoint is not marked RequireApiKey.");

    public static IApplicationBuilder UseApiKeyAuthentication(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequireApiKey>() is not { } required
            || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context);
            return;
        }
        var presented = context.Request.Headers.Authorization.ToString();
        if (presented.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = presented[7..];
        presented = presented.Trim();
        if (presented.Length == 0)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "missing API key: send it in the Authorization header");
            return;
        }
        ApiCaller? caller;
        try
        {
            caller = await context.RequestServices.GetRequiredService<ApiKeyVerifier>().VerifyAsync(presented, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<ApiKeyVerifier>>().LogError(ex, "API keys could not be read");
            context.Response.Headers.RetryAfter = "5";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "API keys could not be read (database unavailable)");
            return;
        }
        if (caller is null)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "invalid API key (unknown or revoked)");
            return;
        }
        if (caller.Role < required.Role)
        {
            await Problem(context, StatusCodes.Status403Forbidden, $"this endpoint needs an API key with role {required.Role.Label()}");
            return;
        }
        context.Items[typeof(ApiCaller)] = caller;
        await next(context);
    });

    /// <summary>ASP.NET Core's rate limiter, one token bucket per API key (<c>Ingest:RequestsPerSecondPerKey</c>, <c>Ingest:BurstPerKey</c>); over it → 429 + Retry-After.</summary>
    public static IServiceCollection AddApiKeyRateLimiter(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var o = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value;
                var keyId = (context.Items[typeof(ApiCaller)] as ApiCaller)?.KeyId ?? "";
                return RateLimitPartition.GetTokenBucketLimiter(keyId, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = o.BurstPerKey,
                    TokensPerPeriod = o.RequestsPerSecondPerKey,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    private static Task Problem(HttpContext context, int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
}
