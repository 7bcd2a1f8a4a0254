using MassTransit.Middleware;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The pipe context a send transport of these transports runs in: it carries only the send's cancellation token, since
/// each transport's client (an SQS client, a Service Bus sender) is reached through its broker, not through the context.
/// </summary>
internal sealed class TransportPipeContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);
