using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Api;

/// <summary>What every operator endpoint shares: reading a JSON body within the ingest limits, and the key's environments.</summary>
public static class ApiRequests
{
    /// <summary>camelCase, enums by name (any case) or number: the form of every operator request body.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The body as a <typeparamref name="T"/>, or the answer for a body that is too large (413, <c>Ingest:MaxRequestBodyBytes</c>), not JSON
    /// (400 naming line and byte), not a JSON object (400 naming <paramref name="shape"/>), or with a field of the wrong form (400 naming the
    /// field and its form, <see cref="JsonFieldErrors"/>).
    /// </summary>
    public static async Task<(T? Value, IResult? Failure)> ReadAsync<T>(HttpContext context, IngestOptions o, string shape) where T : class
    {
        var (document, failure) = await RequestBodies.ReadJsonAsync(context, o);
        if (document is null) return (null, failure);
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, RequestBodies.BadRequest($"the body must be a JSON object {shape}"));
            try
            {
                return document.RootElement.Deserialize<T>(Json) is { } value
                    ? (value, null)
                    : (null, RequestBodies.BadRequest($"the body must be a JSON object {shape}"));
            }
            catch (JsonException ex)
            {
                return (null, RequestBodies.InvalidField(ex, typeof(T)));
            }
        }
    }

    /// <summary>403 Problem Details when the caller's key may not act for <paramref name="environmentId"/>, else null.</summary>
    public static IResult? Forbidden(HttpContext context, string environmentId) =>
        ApiKeyAuthentication.Caller(context).MayPostFor(environmentId)
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Environment not allowed",
                detail: $"this key may not act for environment '{environmentId}'");

    /// <summary>
    /// 403 when the experiment exists in an environment the key may not act for; null otherwise (an unknown id is left to the saga, which
    /// answers "unknown experiment" → 404).
    /// </summary>
    public static async Task<IResult?> ForbiddenExperimentAsync(HttpContext context, IPersistersDbContextFactory databases, Guid experimentId)
    {
        await using var db = databases.CreateDbContext();
        var environment = await db.Experiments.AsNoTracking().Where(e => e.Id == experimentId).Select(e => e.EnvironmentId).FirstOrDefaultAsync(context.RequestAborted);
        return environment is null ? null : Forbidden(context, environment);
    }

    /// <summary>As <see cref="ForbiddenExperimentAsync"/>, for an auto-ops rule.</summary>
    public static async Task<IResult?> ForbiddenRuleAsync(HttpContext context, IPersistersDbContextFactory databases, Guid ruleId)
    {
        await using var db = databases.CreateDbContext();
        var environment = await db.AutoOpsRules.AsNoTracking().Where(r => r.Id == ruleId).Select(r => r.EnvironmentId).FirstOrDefaultAsync(context.RequestAborted);
        return environment is null ? null : Forbidden(context, environment);
    }

    /// <summary>Whether the caller's key may see <paramref name="environmentId"/> (an admin key without environments sees all).</summary>
    public static bool MaySee(HttpContext context, string environmentId) => ApiKeyAuthentication.Caller(context).MayPostFor(environmentId);

    /// <summary>404 Problem Details for an experiment or rule that does not exist (or that the key may not see).</summary>
    public static IResult NotFound(string title, string detail, string idName, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail, extensions: new Dictionary<string, object?> { [idName] = id });
}
