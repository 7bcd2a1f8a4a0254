using System.Net;
using System.Net.Sockets;

namespace Persisters.IntegrationTests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one server, which a test can make unavailable without touching the server (the
/// shared test servers serve other tests at the same time): <see cref="Refuse"/> is a stopped server (connections reset,
/// new ones refused), <see cref="Freeze"/> a frozen one (SIGSTOP: connections are accepted and kept, nothing is answered).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private enum State { Forwarding, Frozen, Refusing }

    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<Socket> _sockets = [];
    private TcpListener? _listener;
    private volatile State _state = State.Forwarding;

    public TcpProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost == "localhost" ? "127.0.0.1" : targetHost), targetPort);
        Port = Listen(0);
    }

    public int Port { get; }

    /// <summary>Forward again (after <see cref="Freeze"/>: what was held is delivered; after <see cref="Refuse"/>: new connections work).</summary>
    public void Resume()
    {
        if (_state == State.Refusing) Listen(Port);
        _state = State.Forwarding;
    }

    /// <summary>As a frozen server: accepted connections stay open, no byte goes through in either direction.</summary>
    public void Freeze() => _state = State.Frozen;

    /// <summary>As a stopped server: every connection is reset and new ones are refused.</summary>
    public void Refuse()
    {
        _state = State.Refusing;
        _listener?.Stop();
        _listener = null;
        lock (_sockets)
        {
            foreach (var s in _sockets)
            {
                try
                {
                    s.LingerState = new LingerOption(true, 0);
                    s.Close();
                }
                catch (Exception)
                {
                }
            }
            _sockets.Clear();
        }
    }

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_disposed.Token);
            }
            catch (Exception)
            {
                return; // stopped (Refuse) or disposed
            }
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets)
        {
            _sockets.Add(client);
            _sockets.Add(server);
        }
        try
        {
            while (_state == State.Frozen) await Task.Delay(50, _disposed.Token);
            await server.ConnectAsync(_target, _disposed.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception)
        {
        }
        finally
        {
            lock (_sockets)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, _disposed.Token);
            if (n == 0) return;
            while (_state == State.Frozen) await Task.Delay(50, _disposed.Token);
            if (_state == State.Refusing) return;
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _disposed.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        Refuse();
        return ValueTask.CompletedTask;
    }
}
