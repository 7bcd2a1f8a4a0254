using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Persisters.ServiceBus.Emulator.Broker;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// A sender link (the emulator's receiving link) to a queue or topic. Each transfer is one message, or a batch in
/// Service Bus's batched format (message-format 0x80013700: one data section per encoded message), all of which
/// are stored before the transfer is accepted. Failures are answered with Rejected and Service Bus's condition.
/// </summary>
public sealed class Publisher(ServiceBusNamespace ns, ReceivingAmqpLink link, string addressPath)
{
    public void OnMessage(AmqpMessage message)
    {
        try
        {
            MessagingEntity entity = ns.Resolve(addressPath)?.Entity ?? throw ServiceBusErrors.NotFound(addressPath);
            EntityProperties properties = entity.Properties;
            if (!properties.SendEnabled)
            {
                throw ServiceBusErrors.Disabled(addressPath, properties.Status);
            }

            List<byte[]> parts = Split(message);
            long incoming = parts.Sum(p => (long)p.Length);
            long limit = properties.MaxSizeInMegabytes * 1024 * 1024;
            if (entity.SizeInBytes + incoming > limit)
            {
                throw ServiceBusErrors.QuotaExceeded(addressPath, properties.MaxSizeInMegabytes);
            }

            var stored = parts.Select(p => new StoredMessage(p, MessageInfo.Parse(p))).ToList();
            DateTime now = ns.Clock();
            foreach (StoredMessage m in stored)
            {
                entity.Accept(m, now);
                Interlocked.Increment(ref entity.MessagesReceivedFromSenders);
            }

            entity.AccessedAt = now;
            link.DisposeMessage(message, AmqpConstants.AcceptedOutcome, true, message.Batchable);
        }
        catch (AmqpException ex)
        {
            link.DisposeMessage(message, new Rejected { Error = ex.Error }, true, false);
        }
        catch (Exception ex)
        {
            link.DisposeMessage(message, new Rejected { Error = new Error { Condition = AmqpErrorCode.InternalError, Description = ex.Message } }, true, false);
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>The encoded messages of a transfer: its data sections for the batched format, else the transfer itself.</summary>
    private static List<byte[]> Split(AmqpMessage message)
    {
        if (message.MessageFormat == AmqpConstants.AmqpBatchedMessageFormat)
        {
            var parts = new List<byte[]>();
            foreach (Data data in message.DataBody)
            {
                var segment = (ArraySegment<byte>)data.Value;
                parts.Add(segment.ToArray());
            }

            return parts;
        }

        return new List<byte[]> { ReadAll(message) };
    }

    private static byte[] ReadAll(AmqpMessage message)
    {
        using var stream = (BufferListStream)((BufferListStream)message.ToStream()).Clone();
        stream.Position = 0;
        var bytes = new byte[stream.Length];
        int offset = 0;
        while (offset < bytes.Length)
        {
            int read = stream.Read(bytes, offset, bytes.Length - offset);
            if (read == 0) { break; }
            offset += read;
        }

        return bytes;
    }
}
