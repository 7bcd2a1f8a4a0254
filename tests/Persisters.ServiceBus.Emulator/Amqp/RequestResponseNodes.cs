using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Persisters.ServiceBus.Emulator.Broker;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// The request/response nodes: $cbs (put-token) and each entity's $management node. A client attaches a sender
/// link to the node and a receiver link whose target is its reply-to address; a request is answered on that
/// receiver link with correlation-id = the request's message-id.
/// $cbs answers with application properties status-code / status-description; $management with statusCode /
/// statusDescription / errorCondition and an AMQP-value map body, as Service Bus does.
/// </summary>
public sealed class RequestResponseNodes(ServiceBusNamespace ns, SasAuthority authority)
{
    private long tag;

    public void AttachCbs(AmqpLink link, ConnectionState state) =>
        Attach(link, state, request => HandleCbs(request, state));

    public void AttachManagement(AmqpLink link, ConnectionState state, ResolvedAddress address) =>
        Attach(link, state, request => ManagementOperations.Handle(ns, address, state, request));

    private void Attach(AmqpLink link, ConnectionState state, Func<AmqpMessage, AmqpMessage> handler)
    {
        if (link.IsReceiver)
        {
            var requests = (ReceivingAmqpLink)link;
            requests.RegisterMessageListener(request => OnRequest(requests, state, request, handler));
            return;
        }

        var replies = (SendingAmqpLink)link;
        string replyTo = (replies.Settings.Target as Target)?.Address?.ToString() ?? "";
        if (!state.ReplyLinks.TryAdd(replyTo, replies))
        {
            throw ServiceBusErrors.NotAllowed($"A link with reply address '{replyTo}' is already attached.");
        }

        replies.Closed += (_, _) => state.ReplyLinks.TryRemove(replyTo, out _);
    }

    private void OnRequest(ReceivingAmqpLink requests, ConnectionState state, AmqpMessage request, Func<AmqpMessage, AmqpMessage> handler)
    {
        try
        {
            string? replyTo = request.Properties?.ReplyTo?.ToString();
            AmqpMessage response = handler(request);
            response.Properties.CorrelationId = request.Properties?.MessageId;
            if (replyTo != null && state.ReplyLinks.TryGetValue(replyTo, out SendingAmqpLink? replies))
            {
                replies.SendMessageNoWait(response, new ArraySegment<byte>(BitConverter.GetBytes(Interlocked.Increment(ref tag))), AmqpConstants.NullBinary);
            }
            else
            {
                response.Dispose();
            }

            if (!request.Settled)
            {
                requests.DisposeMessage(request, AmqpConstants.AcceptedOutcome, true, false);
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"servicebus-emulator: request failed: {ex}");
        }
        finally
        {
            request.Dispose();
        }
    }

    private AmqpMessage HandleCbs(AmqpMessage request, ConnectionState state)
    {
        var map = request.ApplicationProperties?.Map;
        string? operation = map?["operation"] as string;
        string? audience = map?["name"] as string;
        string? type = map?["type"] as string;
        if (operation != "put-token" || audience == null)
        {
            return CbsResponse(400, $"Bad request: operation '{operation}' with audience '{audience}' is not a put-token.");
        }

        if (type is not "servicebus.windows.net:sastoken")
        {
            return CbsResponse(400, $"Bad request: token type '{type}' is not supported by the emulator (shared access signatures only).");
        }

        string? token = request.ValueBody?.Value as string;
        DateTime now = ns.Clock();
        SasGrant? grant = authority.Validate(token, now, out string error);
        if (grant == null)
        {
            return CbsResponse(401, ServiceBusErrors.Track(error));
        }

        string audiencePath = Uri.TryCreate(audience, UriKind.Absolute, out Uri? uri)
            ? Uri.UnescapeDataString(uri.AbsolutePath).Trim('/')
            : audience.Trim('/');
        if (!grant.Covers(audiencePath))
        {
            return CbsResponse(401, ServiceBusErrors.Track($"InvalidAudience: The token's resource '{grant.ResourcePath}' does not cover '{audiencePath}'."));
        }

        state.AddGrant(audiencePath, grant);
        return CbsResponse(202, "Accepted");
    }

    private static AmqpMessage CbsResponse(int status, string description)
    {
        AmqpMessage response = AmqpMessage.Create();
        response.ApplicationProperties = new ApplicationProperties();
        response.ApplicationProperties.Map["status-code"] = status;
        response.ApplicationProperties.Map["status-description"] = description;
        return response;
    }
}
