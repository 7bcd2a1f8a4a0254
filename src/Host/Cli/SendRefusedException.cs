using System.Net.Sockets;
using MassTransit;
using Persisters.Host.Configuration;
using Persisters.Transports.AmazonSqs;

namespace Persisters.Host.Cli;

/// <summary>
/// A verb's send, publish or bus start that the broker refused (a message over its size limit) or that never reached it
/// (unreachable, credentials refused). The verb ends with <see cref="Exception.Message"/> as one line and
/// <see cref="ExitCode"/>, after a clean stop of its host.
/// </summary>
public sealed class SendRefusedException(string message, int exitCode = PersistersCommandLine.SendRefused, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>
    /// The one-line form of a broker failure anywhere in <paramref name="exception"/>'s chain; null when it is not one (a bug keeps
    /// its stack trace).
    /// </summary>
    /// <param name="tooLarge">What to say about a message over the size limit, given the refused size and the limit (the verb's fix).</param>
    public static SendRefusedException? From(Exception exception, TransportKind transport, Func<int, int, string>? tooLarge = null)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SendRefusedException refused:
                    return refused;
                case AmazonSqsMessageTooLargeException large:
                    return new SendRefusedException(
                        $"Amazon SQS refused a message of {large.Size:N0} bytes: its limit is {large.Limit:N0} bytes (body plus message attributes). " +
                        (tooLarge?.Invoke((int)large.Size, (int)large.Limit) ?? "Send less per message."), inner: exception);
                case Persisters.Transports.AzureServiceBus.ServiceBusMessageTooLargeException large:
                    return new SendRefusedException(
                        $"Azure Service Bus refused a message of about {large.Size:N0} bytes to {large.EntityPath}: its limit is {large.Limit:N0} bytes " +
                        "(body, properties and AMQP framing; 256 KiB on the Standard tier). " + (tooLarge?.Invoke((int)Math.Min(int.MaxValue, large.Size),
                            (int)Math.Min(int.MaxValue, large.Limit)) ?? "Send less per message."), inner: exception);
                case TransportException or ConnectionException or SocketException or HttpRequestException or Amazon.Runtime.AmazonServiceException
                    or Amazon.Runtime.AmazonClientException or RabbitMQ.Client.Exceptions.RabbitMQClientException
                    or RabbitMQ.Client.Exceptions.OperationInterruptedException or Azure.Messaging.ServiceBus.ServiceBusException
                    or Azure.RequestFailedException or Azure.Identity.AuthenticationFailedException:
                    return new SendRefusedException($"The broker ({transport}) refused the message or could not be reached: {OneLine(Innermost(e).Message)}", inner: exception);
            }
        }
        return null;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
