using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.AzureServiceBus.Scheduling;

internal sealed class ServiceBusMessageSchedulerSpecification : IPipeSpecification<ConsumeContext>
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new ServiceBusMessageSchedulerFilter());

    public IEnumerable<ValidationResult> Validate() => [];
}
