using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// A plain TCP transport for an accepted socket (Microsoft.Azure.Amqp's own TcpTransport is internal, and the
/// emulator accepts sockets itself to tell AMQP from HTTP on one port). Follows TransportBase's contract: an
/// operation returns false when it completed synchronously (result in the args), true when the args'
/// CompletedCallback will be called.
/// </summary>
internal sealed class SocketTransport : TransportBase
{
    private readonly Socket socket;
    private readonly SocketAsyncEventArgs sendArgs = new();
    private readonly SocketAsyncEventArgs receiveArgs = new();

    public SocketTransport(Socket socket)
        : base("tcp")
    {
        this.socket = socket;
        socket.NoDelay = true;
        LocalEndPoint = socket.LocalEndPoint?.ToString() ?? "";
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "";
        sendArgs.Completed += (_, e) => CompleteWrite((TransportAsyncCallbackArgs)e.UserToken!, synchronously: false);
        receiveArgs.Completed += (_, e) => CompleteRead((TransportAsyncCallbackArgs)e.UserToken!, synchronously: false);
    }

    public override string LocalEndPoint { get; }
    public override string RemoteEndPoint { get; }

    public override void SetMonitor(ITransportMonitor usageMeter)
    {
    }

    public override bool WriteAsync(TransportAsyncCallbackArgs args)
    {
        if (args.Buffer != null)
        {
            sendArgs.BufferList = null;
            sendArgs.SetBuffer(args.Buffer, args.Offset, args.Count);
        }
        else
        {
            sendArgs.SetBuffer(null, 0, 0);
            sendArgs.BufferList = args.ByteBufferList.Select(b => new ArraySegment<byte>(b.Buffer, b.Offset, b.Length)).ToArray();
        }

        sendArgs.UserToken = args;
        if (!socket.SendAsync(sendArgs))
        {
            CompleteWrite(args, synchronously: true);
            return false;
        }

        return true;
    }

    private void CompleteWrite(TransportAsyncCallbackArgs args, bool synchronously)
    {
        if (sendArgs.SocketError == SocketError.Success)
        {
            args.BytesTransfered = sendArgs.BytesTransferred;
            args.Exception = null;
        }
        else
        {
            args.Exception = new SocketException((int)sendArgs.SocketError);
        }

        args.CompletedSynchronously = synchronously;
        sendArgs.UserToken = null;
        if (!synchronously)
        {
            args.CompletedCallback(args);
        }
    }

    public override bool ReadAsync(TransportAsyncCallbackArgs args)
    {
        receiveArgs.SetBuffer(args.Buffer, args.Offset, args.Count);
        receiveArgs.UserToken = args;
        if (!socket.ReceiveAsync(receiveArgs))
        {
            CompleteRead(args, synchronously: true);
            return false;
        }

        return true;
    }

    private void CompleteRead(TransportAsyncCallbackArgs args, bool synchronously)
    {
        if (receiveArgs.SocketError == SocketError.Success)
        {
            args.BytesTransfered = receiveArgs.BytesTransferred;
            args.Exception = null;
        }
        else
        {
            args.Exception = new SocketException((int)receiveArgs.SocketError);
        }

        args.CompletedSynchronously = synchronously;
        receiveArgs.UserToken = null;
        if (!synchronously)
        {
            args.CompletedCallback(args);
        }
    }

    protected override bool OpenInternal() => true;

    protected override bool CloseInternal()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
        return true;
    }

    protected override void AbortInternal() => socket.Dispose();
}
