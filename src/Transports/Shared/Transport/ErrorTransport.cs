using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The endpoint's <see cref="IErrorTransport"/>: moves a faulted message to its <c>_error</c> queue with the fault's
/// headers (exception type, message, stack trace, host). A separate type from <see cref="DeadLetterTransport"/>, since
/// MassTransit finds each in the endpoint's payloads by the interface it implements.
/// </summary>
internal sealed class ErrorTransport(MoveTransport queue) : IErrorTransport
{
    public Task Send(ExceptionReceiveContext context) => queue.Move(context, context.ExceptionHeaders.GetAll());
}
