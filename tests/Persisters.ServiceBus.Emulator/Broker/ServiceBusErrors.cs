using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// The AMQP error conditions Service Bus uses (the SDK's AmqpClientConstants / AmqpErrorCode), with descriptions in
/// Service Bus's wording, each ending in a TrackingId and timestamp as the service's do.
/// </summary>
public static class ServiceBusErrors
{
    public static readonly AmqpSymbol MessageLockLost = "com.microsoft:message-lock-lost";
    public static readonly AmqpSymbol EntityDisabled = "com.microsoft:entity-disabled";
    public static readonly AmqpSymbol ArgumentError = "com.microsoft:argument-error";
    public static readonly AmqpSymbol MessageNotFound = "com.microsoft:message-not-found";
    public static readonly AmqpSymbol EntityAlreadyExists = "com.microsoft:entity-already-exists";
    public static readonly AmqpSymbol DeadLetterCondition = "com.microsoft:dead-letter";

    public static string Track(string text) =>
        $"{text} TrackingId:{Guid.NewGuid():N}, SystemTracker:servicebus-emulator, Timestamp:{DateTime.UtcNow:O}";

    public static AmqpException NotFound(string path) =>
        new(AmqpErrorCode.NotFound, Track($"The messaging entity 'sb://emulator/{path}' could not be found."));

    public static AmqpException Disabled(string path, string status) =>
        new(EntityDisabled, Track($"Messaging entity 'sb://emulator/{path}' is currently disabled (status {status})."));

    public static AmqpException NotAllowed(string text) => new(AmqpErrorCode.NotAllowed, Track(text));

    public static AmqpException NotImplemented(string text) => new(AmqpErrorCode.NotImplemented, Track(text));

    public static AmqpException Unauthorized(string text) => new(AmqpErrorCode.UnauthorizedAccess, Track(text));

    public static AmqpException Argument(string text) => new(ArgumentError, Track(text));

    public static AmqpException QuotaExceeded(string path, long maxMegabytes) =>
        new(AmqpErrorCode.ResourceLimitExceeded, Track($"The maximum entity size has been reached or exceeded for '{path}'. Size limit: {maxMegabytes} MB."));

    public static Rejected LockLostOutcome(string path) => new()
    {
        Error = new Error
        {
            Condition = MessageLockLost,
            Description = Track($"The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue, or was received by a different receiver instance. Entity: {path}."),
        },
    };
}
