namespace Persisters.Persistence.Model;

/// <summary>Where the outgoing webhook of a trigger stands (column <c>auto_ops_trigger.webhook_state</c>).</summary>
public enum WebhookDeliveryState
{
    /// <summary>Not yet answered with 2xx; another attempt is due at <c>due_at</c>.</summary>
    Pending = 0,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered = 1,
    /// <summary>Every attempt failed (<c>AutoOps:WebhookMaxAttempts</c>); <c>webhook_last_error</c> says how the last one did.</summary>
    Failed = 2,
    /// <summary>No webhook is configured for the rule's environment.</summary>
    NotConfigured = 3,
}
