using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;
using Persisters.ServiceBus.Emulator.Broker;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// The $management operations of an entity that the SDK sends (request: application property "operation", body an
/// AMQP-value map): renew-lock, peek-message, schedule-message, cancel-scheduled-message, update-disposition and
/// receive-by-sequence-number. Status codes as Service Bus: 200 OK, 204 no messages, 404 message-not-found,
/// 410 message-lock-lost, 400 argument errors, 401 missing claim, 501 not implemented.
/// </summary>
public static class ManagementOperations
{
    private static readonly MapKey LockTokens = new("lock-tokens");
    private static readonly MapKey Expirations = new("expirations");
    private static readonly MapKey FromSequenceNumber = new("from-sequence-number");
    private static readonly MapKey MessageCount = new("message-count");
    private static readonly MapKey Messages = new("messages");
    private static readonly MapKey Message = new("message");
    private static readonly MapKey SequenceNumbers = new("sequence-numbers");
    private static readonly MapKey DispositionStatus = new("disposition-status");
    private static readonly MapKey DeadLetterReason = new("deadletter-reason");
    private static readonly MapKey DeadLetterDescription = new("deadletter-description");
    private static readonly MapKey PropertiesToModify = new("properties-to-modify");
    private static readonly MapKey ReceiverSettleMode = new("receiver-settle-mode");
    private static readonly MapKey LockToken = new("lock-token");

    public static AmqpMessage Handle(ServiceBusNamespace ns, ResolvedAddress address, ConnectionState state, AmqpMessage request)
    {
        string operation = request.ApplicationProperties?.Map["operation"] as string ?? "";
        AmqpMap body = request.ValueBody?.Value as AmqpMap ?? new AmqpMap();
        DateTime now = ns.Clock();
        string path = address.Store?.Path ?? address.Entity.Path;
        try
        {
            return operation switch
            {
                "com.microsoft:renew-lock" => Require(state, path, AccessRights.Listen, now) ?? RenewLock(address, body, now),
                "com.microsoft:peek-message" => Require(state, path, AccessRights.Listen, now) ?? Peek(address, body, now),
                "com.microsoft:schedule-message" => Require(state, path, AccessRights.Send, now) ?? Schedule(address, body, now),
                "com.microsoft:cancel-scheduled-message" => Require(state, path, AccessRights.Send, now) ?? Cancel(address, body),
                "com.microsoft:update-disposition" => Require(state, path, AccessRights.Listen, now) ?? UpdateDisposition(address, body, now),
                "com.microsoft:receive-by-sequence-number" => Require(state, path, AccessRights.Listen, now) ?? ReceiveBySequenceNumber(address, body, now),
                _ => Response(501, $"The operation '{operation}' is not supported by the Service Bus test emulator.", AmqpErrorCode.NotImplemented),
            };
        }
        catch (AmqpException ex)
        {
            return Response(ex.Error.Condition.Equals(AmqpErrorCode.NotFound) ? 404 : 400, ex.Error.Description, ex.Error.Condition);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or ArgumentException or NullReferenceException)
        {
            return Response(400, ServiceBusErrors.Track($"The request for '{operation}' is malformed: {ex.Message}"), ServiceBusErrors.ArgumentError);
        }
    }

    private static AmqpMessage? Require(ConnectionState state, string path, AccessRights rights, DateTime now) =>
        state.IsAuthorized(path, rights, now) || state.IsAuthorized(path + "/$management", rights, now)
            ? null
            : Response(401, ServiceBusErrors.Track($"Unauthorized access. '{rights}' claim(s) are required to perform this operation. Resource: '{path}'."), AmqpErrorCode.UnauthorizedAccess);

    private static MessageStore StoreOf(ResolvedAddress address) =>
        address.Store ?? throw ServiceBusErrors.NotAllowed($"The operation is not valid on topic '{address.Entity.Path}'.");

    private static AmqpMessage RenewLock(ResolvedAddress address, AmqpMap body, DateTime now)
    {
        MessageStore store = StoreOf(address);
        var tokens = (Guid[])body[LockTokens]!;
        var expirations = new DateTime[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            DateTime? until = store.RenewLock(tokens[i], now);
            if (until == null)
            {
                return LockLost(store);
            }

            expirations[i] = until.Value;
        }

        return Response(200, "OK", null, new AmqpMap { [Expirations] = expirations });
    }

    private static AmqpMessage Peek(ResolvedAddress address, AmqpMap body, DateTime now)
    {
        MessageStore store = StoreOf(address);
        long from = Convert.ToInt64(body[FromSequenceNumber]);
        int count = Convert.ToInt32(body[MessageCount]);
        List<byte[]> peeked = store.Peek(from, count, now);
        if (peeked.Count == 0)
        {
            return Response(204, "No messages to peek.", ServiceBusErrors.MessageNotFound);
        }

        var list = peeked.Select(bytes => new AmqpMap { [Message] = new ArraySegment<byte>(bytes) }).ToList();
        return Response(200, "OK", null, new AmqpMap { [Messages] = list });
    }

    private static AmqpMessage Schedule(ResolvedAddress address, AmqpMap body, DateTime now)
    {
        if (address.Entity is SubscriptionEntity || (address.Store?.IsDeadLetterQueue ?? false))
        {
            throw ServiceBusErrors.NotAllowed($"Messages cannot be scheduled on '{address.Store?.Path ?? address.Entity.Path}'.");
        }

        var requests = (IEnumerable<object>)body[Messages]!;
        var sequenceNumbers = new List<long>();
        foreach (AmqpMap item in requests.Cast<AmqpMap>())
        {
            byte[] bytes = ((ArraySegment<byte>)item[Message]!).ToArray();
            MessageInfo info = MessageInfo.Parse(bytes);
            if (info.ScheduledEnqueueTimeUtc == null)
            {
                throw ServiceBusErrors.Argument("A scheduled message needs the x-opt-scheduled-enqueue-time annotation.");
            }

            sequenceNumbers.Add(address.Entity.Accept(new StoredMessage(bytes, info), now));
        }

        return Response(200, "OK", null, new AmqpMap { [SequenceNumbers] = sequenceNumbers.ToArray() });
    }

    private static AmqpMessage Cancel(ResolvedAddress address, AmqpMap body)
    {
        var sequenceNumbers = (long[])body[SequenceNumbers]!;
        List<long> missing = address.Entity switch
        {
            TopicEntity topic => topic.CancelScheduled(sequenceNumbers),
            _ => StoreOf(address).CancelScheduled(sequenceNumbers),
        };

        return missing.Count == 0
            ? Response(200, "OK")
            : Response(404, ServiceBusErrors.Track($"The scheduled message(s) with sequence number {string.Join(", ", missing)} could not be found on '{address.Entity.Path}'."), ServiceBusErrors.MessageNotFound);
    }

    private static AmqpMessage UpdateDisposition(ResolvedAddress address, AmqpMap body, DateTime now)
    {
        MessageStore store = StoreOf(address);
        var tokens = (Guid[])body[LockTokens]!;
        string status = (string)body[DispositionStatus]!;
        string? reason = body[DeadLetterReason] as string;
        string? description = body[DeadLetterDescription] as string;
        IEnumerable<KeyValuePair<string, object?>>? modify = (body[PropertiesToModify] as AmqpMap)?
            .Select(p => new KeyValuePair<string, object?>(p.Key.Key.ToString()!, p.Value));
        foreach (Guid token in tokens)
        {
            if (!store.UpdateDisposition(token, status, reason, description, modify?.ToList(), now))
            {
                return LockLost(store);
            }
        }

        return Response(200, "OK");
    }

    private static AmqpMessage ReceiveBySequenceNumber(ResolvedAddress address, AmqpMap body, DateTime now)
    {
        MessageStore store = StoreOf(address);
        var sequenceNumbers = (long[])body[SequenceNumbers]!;
        bool peekLock = Convert.ToUInt32(body[ReceiverSettleMode] ?? 1u) != 0;
        var received = store.ReceiveDeferred(sequenceNumbers, peekLock, now);
        if (received == null)
        {
            return Response(404, ServiceBusErrors.Track($"One of the deferred messages {string.Join(", ", sequenceNumbers)} could not be found on '{store.Path}'."), ServiceBusErrors.MessageNotFound);
        }

        var list = received.Select(r => new AmqpMap { [LockToken] = r.LockToken, [Message] = new ArraySegment<byte>(r.Message) }).ToList();
        return Response(200, "OK", null, new AmqpMap { [Messages] = list });
    }

    private static AmqpMessage LockLost(MessageStore store) =>
        Response(410, ServiceBusErrors.Track($"The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue. Entity: {store.Path}."), ServiceBusErrors.MessageLockLost);

    private static AmqpMessage Response(int status, string description, AmqpSymbol? condition = null, AmqpMap? body = null)
    {
        AmqpMessage response = body == null ? AmqpMessage.Create() : AmqpMessage.Create(new AmqpValue { Value = body });
        response.ApplicationProperties = new ApplicationProperties();
        response.ApplicationProperties.Map["statusCode"] = status;
        response.ApplicationProperties.Map["statusDescription"] = description;
        if (condition is { } c && c.Value != null)
        {
            response.ApplicationProperties.Map["errorCondition"] = c;
        }

        return response;
    }
}
