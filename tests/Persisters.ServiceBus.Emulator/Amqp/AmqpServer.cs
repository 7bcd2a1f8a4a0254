using System.Collections.Concurrent;
using System.Security.Principal;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transaction;
using Microsoft.Azure.Amqp.Transport;
using Persisters.ServiceBus.Emulator.Broker;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// The AMQP 1.0 side of the emulator, on Microsoft.Azure.Amqp's server-side types (the SDK's own protocol stack):
/// SASL (MSSBCBS and ANONYMOUS followed by a CBS put-token, or PLAIN with a key name and key), connections,
/// sessions, and link attach routed to $cbs, an entity's $management node, or the entity itself.
/// </summary>
public sealed class AmqpServer : IRuntimeProvider, IDisposable
{
    private readonly ServiceBusNamespace ns;
    private readonly SasAuthority authority;
    private readonly long maxMessageSizeBytes;
    private readonly ConcurrentDictionary<AmqpConnection, ConnectionState> connections = new();
    private readonly RequestResponseNodes nodes;
    private AmqpTransportListener? listener;

    public AmqpServer(ServiceBusNamespace ns, SasAuthority authority, long maxMessageSizeBytes)
    {
        this.ns = ns;
        this.authority = authority;
        this.maxMessageSizeBytes = maxMessageSizeBytes;
        nodes = new RequestResponseNodes(ns, authority);
    }

    public int ConnectionCount => connections.Count;

    /// <summary>Starts accepting AMQP connections from <paramref name="transportListener"/> (plain TCP, no TLS).</summary>
    public void Start(TransportListener transportListener)
    {
        var settings = new AmqpSettings { RuntimeProvider = this };
        var version = new AmqpVersion(1, 0, 0);
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(version);
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        sasl.AddHandler(new SaslAnonymousHandler());
        sasl.AddHandler(new SaslPlainHandler(new KeyAuthenticator(authority)));
        settings.TransportProviders.Add(sasl);
        var amqpProvider = new AmqpTransportProvider();
        amqpProvider.Versions.Add(version);
        settings.TransportProviders.Add(amqpProvider);
        listener = new AmqpTransportListener(new[] { transportListener }, settings);
        listener.Listen(OnAcceptTransport);
    }

    private void OnAcceptTransport(TransportListener source, TransportAsyncCallbackArgs args)
    {
        var connectionSettings = new AmqpConnectionSettings
        {
            ContainerId = "servicebus-emulator-" + Environment.ProcessId,
            MaxFrameSize = 65536,
            IdleTimeOut = 240_000,
            ChannelMax = 4999,
        };

        AmqpConnection? connection = null;
        try
        {
            connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, listener!.AmqpSettings, connectionSettings);
            connection.BeginOpen(AmqpConstants.DefaultTimeout, OnConnectionOpened, connection);
        }
        catch (Exception ex)
        {
            connection?.SafeClose(ex);
        }
    }

    private void OnConnectionOpened(IAsyncResult result)
    {
        var connection = (AmqpConnection)result.AsyncState!;
        try
        {
            connection.EndOpen(result);
        }
        catch (Exception ex)
        {
            connection.SafeClose(ex);
        }
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator,
        AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings)
    {
        var connection = new AmqpConnection(transport, protocolHeader, false, amqpSettings, connectionSettings);
        var state = new ConnectionState(connection);
        if (transport.Principal?.Identity is { IsAuthenticated: true, Name: { } keyName } && transport.Principal is GenericPrincipal)
        {
            state.PlainKey = authority.Keys.FirstOrDefault(k => k.Name == keyName);
        }

        connections[connection] = state;
        connection.Closed += (_, _) => connections.TryRemove(connection, out _);
        return connection;
    }

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) =>
        throw new InvalidOperationException("Sessions are created by the connection.");

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.Role == true)
        {
            if (settings.Target is Coordinator)
            {
                throw ServiceBusErrors.NotImplemented("Transactions are not supported by the Service Bus test emulator.");
            }

            // The client sends: the emulator receives, and tells the client the largest message it accepts.
            settings.MaxMessageSize = (ulong)maxMessageSizeBytes;
            return new ReceivingAmqpLink(session, settings);
        }

        return new SendingAmqpLink(session, settings);
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        OpenLink(link);
        return new CompletedResult(callback, state);
    }

    public void EndOpenLink(IAsyncResult result)
    {
    }

    private void OpenLink(AmqpLink link)
    {
        if (!connections.TryGetValue(link.Session.Connection, out ConnectionState? state))
        {
            throw ServiceBusErrors.NotAllowed("The connection is not open.");
        }

        string? address = link.IsReceiver
            ? (link.Settings.Target as Target)?.Address?.ToString()
            : (link.Settings.Source as Source)?.Address?.ToString();
        if (string.IsNullOrEmpty(address))
        {
            throw new AmqpException(AmqpErrorCode.InvalidField, "The link has no address.");
        }

        string addressPath = NormalizePath(address);
        DateTime now = ns.Clock();
        if (addressPath.Equals("$cbs", StringComparison.OrdinalIgnoreCase))
        {
            nodes.AttachCbs(link, state);
            return;
        }

        if (EntityNames.AddressProblem(addressPath) is { } problem)
        {
            throw ServiceBusErrors.Argument(problem);
        }

        ResolvedAddress? resolved = ns.Resolve(address) ?? throw ServiceBusErrors.NotFound(addressPath);
        if (resolved.IsManagement)
        {
            if (!state.IsAuthorized(addressPath, AccessRights.All, now))
            {
                throw ServiceBusErrors.Unauthorized($"Unauthorized access. 'Listen' or 'Send' claim(s) are required to perform this operation. Resource: 'sb://{ns.Name}/{addressPath}'.");
            }

            nodes.AttachManagement(link, state, resolved);
            return;
        }

        if (link.IsReceiver)
        {
            AttachSender((ReceivingAmqpLink)link, state, resolved, addressPath, now);
        }
        else
        {
            AttachReceiver((SendingAmqpLink)link, state, resolved, addressPath, now);
        }
    }

    private void AttachSender(ReceivingAmqpLink link, ConnectionState state, ResolvedAddress resolved, string addressPath, DateTime now)
    {
        if (!state.IsAuthorized(addressPath, AccessRights.Send, now))
        {
            throw ServiceBusErrors.Unauthorized($"Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://{ns.Name}/{addressPath}'.");
        }

        if (resolved.Entity is SubscriptionEntity || (resolved.Store?.IsDeadLetterQueue ?? false))
        {
            throw ServiceBusErrors.NotAllowed($"Cannot send to '{addressPath}': messages are sent to queues and topics only.");
        }

        Interlocked.Increment(ref resolved.Entity.SenderLinksOpened);
        var publisher = new Publisher(ns, link, addressPath);
        link.RegisterMessageListener(publisher.OnMessage);
    }

    private void AttachReceiver(SendingAmqpLink link, ConnectionState state, ResolvedAddress resolved, string addressPath, DateTime now)
    {
        if (!state.IsAuthorized(addressPath, AccessRights.Listen, now))
        {
            throw ServiceBusErrors.Unauthorized($"Unauthorized access. 'Listen' claim(s) are required to perform this operation. Resource: 'sb://{ns.Name}/{addressPath}'.");
        }

        if (resolved.Store == null)
        {
            throw ServiceBusErrors.NotAllowed($"Cannot receive from topic '{addressPath}': receive from one of its subscriptions.");
        }

        if (link.Settings.Source is Source { FilterSet: { Count: > 0 } filters }
            && filters.Any(f => f.Key.Key.ToString()!.Contains("session", StringComparison.OrdinalIgnoreCase)))
        {
            throw ServiceBusErrors.NotImplemented("Session receivers are not supported by the Service Bus test emulator.");
        }

        EntityProperties properties = resolved.Entity.Properties;
        if (!resolved.Store.IsDeadLetterQueue && !string.IsNullOrEmpty(properties.ForwardTo))
        {
            throw ServiceBusErrors.NotAllowed($"Cannot create a message receiver on entity '{addressPath}': auto-forwarding is enabled on it.");
        }

        if (!properties.ReceiveEnabled)
        {
            throw ServiceBusErrors.Disabled(addressPath, properties.Status);
        }

        MessageStore store = resolved.Store;
        var consumer = new Consumer(link, store);
        link.RegisterCreditListener((credit, drain, _) => store.OnCredit(consumer, credit, drain, ns.Clock()));
        link.RegisterDispositionListener(delivery => OnDisposition(link, store, delivery));
        link.Closed += (_, _) =>
        {
            consumer.Closed = true;
            store.RemoveConsumer(consumer);
        };
        store.AddConsumer(consumer);
    }

    private void OnDisposition(SendingAmqpLink link, MessageStore store, Delivery delivery)
    {
        if (delivery.Settled && delivery.State == null)
        {
            return;
        }

        Outcome outcome;
        ArraySegment<byte> tag = delivery.DeliveryTag;
        if (tag.Count != 16)
        {
            outcome = ServiceBusErrors.LockLostOutcome(store.Path);
        }
        else
        {
            var token = new Guid(tag.AsSpan());
            DeliveryState? state = delivery.State is TransactionalState txn ? txn.Outcome : delivery.State;
            outcome = store.Settle(token, state, ns.Clock());
        }

        if (!delivery.Settled)
        {
            link.DisposeDelivery(delivery, true, outcome);
        }
    }

    private static string NormalizePath(string address)
    {
        if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && uri.Scheme is "amqp" or "amqps" or "sb" or "http" or "https")
        {
            return Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        }

        return address.Trim('/');
    }

    public void Dispose()
    {
        listener?.Close();
        foreach (AmqpConnection connection in connections.Keys)
        {
            connection.SafeClose();
        }
    }

    private sealed class CompletedResult : IAsyncResult
    {
        public CompletedResult(AsyncCallback callback, object state)
        {
            AsyncState = state;
            callback(this);
        }

        public object AsyncState { get; }
        public WaitHandle AsyncWaitHandle => throw new NotSupportedException();
        public bool CompletedSynchronously => true;
        public bool IsCompleted => true;
    }

    private sealed class KeyAuthenticator(SasAuthority authority) : ISaslPlainAuthenticator
    {
        public Task<IPrincipal> AuthenticateAsync(string identity, string password)
        {
            SharedAccessKey key = authority.AuthenticatePlain(identity, password)
                ?? throw new UnauthorizedAccessException("Invalid key name or key.");
            return Task.FromResult<IPrincipal>(new GenericPrincipal(new GenericIdentity(key.Name), key.Rights.ToString().Split(", ")));
        }
    }
}
