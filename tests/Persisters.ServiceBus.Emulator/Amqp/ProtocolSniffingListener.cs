using System.Net;
using System.Net.Sockets;
using Microsoft.Azure.Amqp.Transport;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// The TCP listener of the AMQP port. With UseDevelopmentEmulator=true the SDK's ServiceBusClient speaks plain AMQP
/// to the connection string's port and ServiceBusAdministrationClient speaks plain HTTP to the same port, so the
/// first byte of each connection decides: 'A' (the AMQP protocol header "AMQP\x03\x01\x00\x00" or
/// "AMQP\x00\x01\x00\x00") goes to the AMQP stack, anything else (an HTTP request line) is relayed to the HTTP
/// management endpoint.
/// </summary>
public sealed class ProtocolSniffingListener : TransportListener
{
    private readonly IPEndPoint endpoint;
    private readonly IPEndPoint httpEndpoint;
    private readonly CancellationTokenSource stopping = new();
    private Socket? socket;

    public ProtocolSniffingListener(IPEndPoint endpoint, IPEndPoint httpEndpoint)
        : base("servicebus-emulator-listener")
    {
        this.endpoint = endpoint;
        this.httpEndpoint = httpEndpoint;
    }

    /// <summary>The bound port (useful when 0 was asked for).</summary>
    public int Port => ((IPEndPoint)socket!.LocalEndPoint!).Port;

    /// <summary>Binds the socket before the AMQP listener starts, so a taken port fails at start.</summary>
    public void Bind()
    {
        socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(endpoint);
        socket.Listen(512);
    }

    protected override void OnListen()
    {
        if (socket == null) { Bind(); }
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket!.AcceptAsync(stopping.Token);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        try
        {
            client.NoDelay = true;
            var first = new byte[1];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            int read = await client.ReceiveAsync(first, SocketFlags.Peek, timeout.Token);
            if (read == 0)
            {
                client.Dispose();
                return;
            }

            if (first[0] == (byte)'A')
            {
                var transport = new SocketTransport(client);
                transport.Open();
                OnTransportAccepted(new TransportAsyncCallbackArgs { Transport = transport, CompletedSynchronously = false });
                return;
            }

            await RelayHttpAsync(client);
        }
        catch (Exception)
        {
            client.Dispose();
        }
    }

    private async Task RelayHttpAsync(Socket client)
    {
        using var upstream = new Socket(httpEndpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await upstream.ConnectAsync(httpEndpoint, stopping.Token);
        using var a = new NetworkStream(client, ownsSocket: true);
        using var b = new NetworkStream(upstream, ownsSocket: false);
        Task up = CopyThenShutdownAsync(a, upstream);
        Task down = CopyThenShutdownAsync(b, client);
        await Task.WhenAll(up, down);

        async Task CopyThenShutdownAsync(Stream from, Socket to)
        {
            try
            {
                await from.CopyToAsync(to == upstream ? b : a, stopping.Token);
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // One side closed: the other copy ends too.
            }
        }
    }

    protected override bool CloseInternal()
    {
        stopping.Cancel();
        socket?.Dispose();
        return true;
    }

    protected override void AbortInternal()
    {
        stopping.Cancel();
        socket?.Dispose();
    }
}
