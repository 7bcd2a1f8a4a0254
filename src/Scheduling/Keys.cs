using Quartz;

namespace Persisters.Scheduling;

/// <summary>Trigger identities.</summary>
internal static class Keys
{
    public const string MessageGroup = "message";
    public const string CancelledGroup = "cancelled";
    public const string RecurringPrefix = "recurring.";
    public const string DefaultRecurringGroup = "recurring";

    public static TriggerKey Message(Guid tokenId) => new(tokenId.ToString("N"), MessageGroup);

    public static TriggerKey Cancelled(Guid tokenId) => new(tokenId.ToString("N"), CancelledGroup);

    public static TriggerKey Recurring(string scheduleId, string? scheduleGroup) =>
        new(RecurringPrefix + scheduleId, string.IsNullOrWhiteSpace(scheduleGroup) ? DefaultRecurringGroup : scheduleGroup);
}
