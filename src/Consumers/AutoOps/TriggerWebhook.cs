using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Persisters.Contracts;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// The outgoing webhook of a trigger: <c>POST</c> of a JSON body (<see cref="Body"/>) with
/// <c>X-Persisters-Signature: sha256=&lt;lower-case hex HMAC-SHA256 of the body's bytes under the environment's secret&gt;</c>,
/// <c>Idempotency-Key: &lt;trigger id&gt;</c> (the same on every attempt, so a receiver drops repeats) and
/// <c>X-Persisters-Event: EventRateRuleTriggered</c>. The HttpClient named <see cref="ClientName"/> retries transient failures
/// (5xx, 408, 429, timeouts) with exponential backoff (Microsoft.Extensions.Http.Resilience); what it gives up on is retried
/// later by the dispatcher.
/// </summary>
public sealed class TriggerWebhook(IHttpClientFactory clients)
{
    public const string ClientName = "persisters-autoops-webhook";
    public const string SignatureHeader = "X-Persisters-Signature";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string EventHeader = "X-Persisters-Event";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON body: the trigger in camelCase, <c>operator</c> as <c>ge</c>/<c>le</c>, <c>triggeredAt</c> ISO 8601 UTC.</summary>
    public static byte[] Body(EventRateRuleTriggered t) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        type = nameof(EventRateRuleTriggered),
        triggerId = t.TriggerId,
        ruleId = t.RuleId,
        environmentId = t.EnvironmentId,
        featureId = t.FeatureId,
        featureVersion = t.FeatureVersion,
        clauseId = t.ClauseId,
        variationId = t.VariationId,
        goalId = t.GoalId,
        evaluationUsers = t.EvaluationUsers,
        goalUsers = t.GoalUsers,
        rate = t.Rate,
        threshold = t.Threshold,
        @operator = t.Operator == RateOperator.GreaterOrEqual ? "ge" : "le",
        action = "disable",
        triggeredAt = DateTimeOffset.FromUnixTimeMilliseconds(t.TriggeredAt).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
    }, Json);

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <paramref name="body"/> keyed by the UTF-8 bytes of <paramref name="secret"/>.</summary>
    public static string Signature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Sends once (with the client's quick retries); returns null on a 2xx answer, otherwise what went wrong (an HTTP status, or the
    /// exception's type and message: refused connection, timeout, …). Throws only <see cref="OperationCanceledException"/> for
    /// <paramref name="ct"/>.
    /// </summary>
    public async Task<string?> SendAsync(WebhookTarget target, EventRateRuleTriggered trigger, CancellationToken ct)
    {
        var body = Body(trigger);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(SignatureHeader, Signature(body, target.Secret));
            request.Headers.Add(IdempotencyKeyHeader, trigger.TriggerId.ToString("D"));
            request.Headers.Add(EventHeader, nameof(EventRateRuleTriggered));
            using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }
}
