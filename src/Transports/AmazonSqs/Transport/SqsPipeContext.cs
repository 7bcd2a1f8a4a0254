using MassTransit.Middleware;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsPipeContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);
