using System.ComponentModel.DataAnnotations;

namespace Persisters.Consumers.AutoOps;

/// <summary>Settings of the auto-ops rules' kill switch: how triggers are dispatched and where webhooks go (section <c>AutoOps</c>).</summary>
public sealed class AutoOpsOptions : IValidatableObject
{
    public const string SectionName = "AutoOps";

    /// <summary>Outgoing webhooks by environment id: <c>AutoOps:Webhooks:&lt;environmentId&gt;:Url</c> and <c>:Secret</c>.</summary>
    public Dictionary<string, WebhookTarget> Webhooks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether this host dispatches triggers (publishes them, calls the webhooks). <c>false</c>: it counts and triggers rules but leaves
    /// the outbox to the hosts that dispatch (e.g. when only some may reach the webhook receivers). At least one host must dispatch.
    /// </summary>
    public bool Dispatch { get; set; } = true;

    /// <summary>How often each host looks for triggers with work due (a host that triggers a rule starts on it at once).</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Webhook deliveries of one trigger before it is given up as Failed (each may itself retry transient errors quickly).</summary>
    public int WebhookMaxAttempts { get; set; } = 12;

    /// <summary>How long one host may hold a trigger before another may take it over (a host that dies holding one).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The rules of these settings; each result names its key under the section (<c>Webhooks:ENV:Url</c>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (env, target) in Webhooks)
        {
            var path = $"{SectionName}:Webhooks:{env}";
            if (!Uri.TryCreate(target?.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return new($"{path}:Url must be an absolute http or https URL.", [$"Webhooks:{env}:Url"]);
            }
            if (string.IsNullOrEmpty(target?.Secret) || target.Secret.Length < 16)
            {
                yield return new($"{path}:Secret is required, at least 16 characters (the HMAC-SHA256 key the receiver checks the signature with; or {path}:SecretFile).",
                    [$"Webhooks:{env}:Secret"]);
            }
        }
        if (DispatchInterval < TimeSpan.FromMilliseconds(50) || DispatchInterval > TimeSpan.FromMinutes(10))
        {
            yield return new($"{SectionName}:DispatchInterval must be from 00:00:00.050 to 00:10:00.", [nameof(DispatchInterval)]);
        }
        if (WebhookMaxAttempts is < 1 or > 100) yield return new($"{SectionName}:WebhookMaxAttempts must be from 1 to 100.", [nameof(WebhookMaxAttempts)]);
        if (Lease < TimeSpan.FromSeconds(40) || Lease > TimeSpan.FromHours(1))
        {
            yield return new($"{SectionName}:Lease must be from 00:00:40 to 01:00:00 (longer than a webhook delivery's 30 s).", [nameof(Lease)]);
        }
    }
}

/// <summary>One environment's webhook.</summary>
public sealed class WebhookTarget
{
    /// <summary>Absolute http(s) URL the trigger is POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key of the <c>X-Persisters-Signature</c> header.</summary>
    public string Secret { get; set; } = "";
}
