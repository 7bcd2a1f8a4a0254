namespace Persisters.Consumers.AutoOps;

/// <summary>Settings of the auto-ops rules' kill switch: how triggers are dispatched and where webhooks go (section <c>AutoOps</c>).</summary>
public sealed class AutoOpsOptions
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

    /// <summary>The problems with these settings, each naming its setting; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        foreach (var (env, target) in Webhooks)
        {
            var path = $"{SectionName}:Webhooks:{env}";
            if (!Uri.TryCreate(target?.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{path}:Url must be an absolute http or https URL.");
            }
            if (string.IsNullOrEmpty(target?.Secret) || target.Secret.Length < 16)
            {
                errors.Add($"{path}:Secret is required, at least 16 characters (the HMAC-SHA256 key the receiver checks the signature with; or {path}:SecretFile).");
            }
        }
        if (DispatchInterval < TimeSpan.FromMilliseconds(50) || DispatchInterval > TimeSpan.FromMinutes(10)) errors.Add($"{SectionName}:DispatchInterval must be from 00:00:00.050 to 00:10:00.");
        if (WebhookMaxAttempts is < 1 or > 100) errors.Add($"{SectionName}:WebhookMaxAttempts must be from 1 to 100.");
        if (Lease < TimeSpan.FromSeconds(40) || Lease > TimeSpan.FromHours(1)) errors.Add($"{SectionName}:Lease must be from 00:00:40 to 01:00:00 (longer than a webhook delivery's 30 s).");
        return errors;
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
