using MassTransit.Middleware;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusPipeContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);
