using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The part of a send transport context (MassTransit's <see cref="BaseSendTransportContext"/>) that does not depend on the
/// broker: it runs a send in a <see cref="TransportPipeContext"/> and builds its send context through
/// <see cref="BaseSendTransportContext.CreateSendContext{T}"/>. A derived class declares
/// <c>SendTransportContext&lt;TransportPipeContext&gt;</c> and adds the broker's <c>Send&lt;T&gt;</c> and probe; the
/// members here implement the rest of that interface without virtual calls.
/// </summary>
/// <typeparam name="THostConfiguration">The transport's host configuration.</typeparam>
/// <param name="receiveEndpointContext">The endpoint (or bus endpoint) whose serialization the sends use.</param>
internal abstract class TransportSendTransportContext<THostConfiguration>(THostConfiguration hostConfiguration, ReceiveEndpointContext receiveEndpointContext)
    : BaseSendTransportContext(hostConfiguration, receiveEndpointContext.Serialization)
    where THostConfiguration : IHostConfiguration
{
    /// <summary>The host configuration this context sends through (its broker, its host address).</summary>
    protected THostConfiguration HostConfiguration { get; } = hostConfiguration;

    public Task Send(IPipe<TransportPipeContext> pipe, CancellationToken cancellationToken = default) =>
        pipe.Send(new TransportPipeContext(cancellationToken));

    public Task<SendContext<T>> CreateSendContext<T>(TransportPipeContext context, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class =>
        CreateSendContext(message, pipe, cancellationToken);
}
