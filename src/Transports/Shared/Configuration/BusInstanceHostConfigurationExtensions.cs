using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>The host configuration of a bus instance, as a transport's own type (for its topology deployment extensions).</summary>
internal static class BusInstanceHostConfigurationExtensions
{
    /// <summary>The bus's host configuration as <typeparamref name="THostConfiguration"/>.</summary>
    /// <param name="transportName">The transport's name for the message, e.g. "Amazon SQS".</param>
    /// <exception cref="NotSupportedException">The bus runs on another transport (the message names both).</exception>
    public static THostConfiguration GetHostConfiguration<THostConfiguration>(this IBusInstance bus, string transportName)
        where THostConfiguration : class, IHostConfiguration =>
        bus.HostConfiguration as THostConfiguration
        ?? throw new NotSupportedException($"The bus does not run on the {transportName} transport ({bus.HostConfiguration.GetType().Name}).");
}
