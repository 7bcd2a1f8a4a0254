using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>
/// Topic names of message types, as MassTransit's Service Bus package forms them: namespace and type name separated by
/// '/', generic arguments as <c>--Ns/Type--</c>, nested types with '-', arrays as <c>__</c>.
/// </summary>
internal sealed class ServiceBusMessageNameFormatter(string namespaceSeparator = "/") : IMessageNameFormatter
{
    private readonly IMessageNameFormatter _formatter = new DefaultMessageNameFormatter("---", "--", namespaceSeparator, "-");

    public string GetMessageName(Type type) => _formatter.GetMessageName(type).Replace("[]", "__", StringComparison.Ordinal);
}
