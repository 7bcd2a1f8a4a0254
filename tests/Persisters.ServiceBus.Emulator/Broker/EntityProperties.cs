namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>The three kinds of Service Bus messaging entity.</summary>
public enum EntityKind { Queue, Topic, Subscription }

/// <summary>
/// The settings of a queue, topic or subscription, named and defaulted as Service Bus's QueueDescription,
/// TopicDescription and SubscriptionDescription (Standard tier defaults). A kind ignores the settings it does not have.
/// </summary>
public sealed class EntityProperties
{
    /// <summary>Maximum lock duration Service Bus accepts (5 minutes).</summary>
    public static readonly TimeSpan MaxLockDuration = TimeSpan.FromMinutes(5);

    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);
    public long MaxSizeInMegabytes { get; set; } = 1024;
    public bool RequiresDuplicateDetection { get; set; }
    public bool RequiresSession { get; set; }
    public TimeSpan DefaultMessageTimeToLive { get; set; } = TimeSpan.MaxValue;
    public bool DeadLetteringOnMessageExpiration { get; set; }
    public bool DeadLetteringOnFilterEvaluationExceptions { get; set; } = true;
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; set; } = TimeSpan.FromMinutes(10);
    public int MaxDeliveryCount { get; set; } = 10;
    public bool EnableBatchedOperations { get; set; } = true;
    public bool IsAnonymousAccessible { get; set; }
    public bool FilteringMessagesBeforePublishing { get; set; }
    public bool SupportOrdering { get; set; } = true;

    /// <summary>Active, Disabled, SendDisabled or ReceiveDisabled.</summary>
    public string Status { get; set; } = "Active";
    public string? ForwardTo { get; set; }
    public string? ForwardDeadLetteredMessagesTo { get; set; }
    public string? UserMetadata { get; set; }
    public TimeSpan AutoDeleteOnIdle { get; set; } = TimeSpan.MaxValue;
    public bool EnablePartitioning { get; set; }
    public bool EnableSubscriptionPartitioning { get; set; }
    public bool EnableExpress { get; set; }

    /// <summary>Premium tier's per-entity limit; null on Standard, where the namespace limit applies.</summary>
    public long? MaxMessageSizeInKilobytes { get; set; }

    public EntityProperties Clone() => (EntityProperties)MemberwiseClone();

    /// <summary>Checks the ranges Service Bus enforces; returns the first problem, or null.</summary>
    public string? Validate(EntityKind kind)
    {
        if (kind != EntityKind.Topic && (LockDuration <= TimeSpan.Zero || LockDuration > MaxLockDuration))
        {
            return $"LockDuration must be greater than 0 and at most {MaxLockDuration}; was {LockDuration}.";
        }

        if (kind != EntityKind.Topic && MaxDeliveryCount < 1)
        {
            return $"MaxDeliveryCount must be at least 1; was {MaxDeliveryCount}.";
        }

        if (DefaultMessageTimeToLive < TimeSpan.FromSeconds(1))
        {
            return $"DefaultMessageTimeToLive must be at least 1 second; was {DefaultMessageTimeToLive}.";
        }

        if (AutoDeleteOnIdle < TimeSpan.FromMinutes(5))
        {
            return $"AutoDeleteOnIdle must be at least 5 minutes; was {AutoDeleteOnIdle}.";
        }

        if (kind != EntityKind.Subscription
            && (DuplicateDetectionHistoryTimeWindow < TimeSpan.FromSeconds(20) || DuplicateDetectionHistoryTimeWindow > TimeSpan.FromDays(7)))
        {
            return $"DuplicateDetectionHistoryTimeWindow must be between 20 seconds and 7 days; was {DuplicateDetectionHistoryTimeWindow}.";
        }

        if (kind != EntityKind.Subscription && MaxSizeInMegabytes <= 0)
        {
            return "MaxSizeInMegabytes must be positive.";
        }

        if (Status is not ("Active" or "Disabled" or "SendDisabled" or "ReceiveDisabled"))
        {
            return $"Status '{Status}' is not one of Active, Disabled, SendDisabled, ReceiveDisabled.";
        }

        if (RequiresSession)
        {
            return "RequiresSession is not supported by the Service Bus test emulator (session-less entities only).";
        }

        return null;
    }

    public bool SendEnabled => Status is "Active" or "ReceiveDisabled";
    public bool ReceiveEnabled => Status is "Active" or "SendDisabled";
}
