using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// Gives a receive endpoint (or the bus) its send transports: a <see cref="SendTransport{TContext}"/> per destination
/// address, and per published message type (MassTransit caches the latter per type). The derived class reads an
/// address the broker's way and decides where a published <c>T</c> goes (the queues subscribed to it, or its topic).
/// One class serves as both the endpoint's send and its publish transport provider.
/// </summary>
/// <typeparam name="THostConfiguration">The transport's host configuration.</typeparam>
internal abstract class TransportSendTransportProvider<THostConfiguration>(THostConfiguration hostConfiguration, ReceiveEndpointContext context)
    : ISendTransportProvider, IPublishTransportProvider
    where THostConfiguration : IHostConfiguration
{
    protected THostConfiguration HostConfiguration { get; } = hostConfiguration;

    /// <summary>The receive endpoint (or bus endpoint) whose serialization the send transports use.</summary>
    protected ReceiveEndpointContext Context { get; } = context;

    public abstract Uri NormalizeAddress(Uri address);

    /// <exception cref="MassTransit.ConfigurationException">Or another exception of the derived class: the address is not one of this transport.</exception>
    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var transportContext = CreateSendTransportContext(address);
        TransportLogMessages.CreateSendTransport(address);
        return Task.FromResult<ISendTransport>(new SendTransport<TransportPipeContext>(transportContext));
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class =>
        Task.FromResult<ISendTransport>(new SendTransport<TransportPipeContext>(CreatePublishTransportContext<T>()));

    /// <summary>The send transport context for one destination address (a queue, or a topic).</summary>
    protected abstract SendTransportContext<TransportPipeContext> CreateSendTransportContext(Uri address);

    /// <summary>The send transport context that publishes messages of type <typeparamref name="T"/>.</summary>
    protected abstract SendTransportContext<TransportPipeContext> CreatePublishTransportContext<T>()
        where T : class;
}
