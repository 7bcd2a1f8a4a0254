using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Persisters.Consumers.Demand;
using Persisters.Host.Hosting;

namespace Persisters.Tests.Demand;

public sealed class When_the_host_wires_the_demand_controller
{
    private static IServiceCollection Services(string? onDemand)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (onDemand is not null) builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Persisters:OnDemand"] = onDemand });
        var settings = builder.AddPersistersSettings();
        builder.AddPersistersServices(settings, withPersisters: true);
        return builder.Services;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void By_default_or_with_Persisters_OnDemand_true_the_controller_and_its_periodic_reconcile_are_registered(string? onDemand)
    {
        var services = Services(onDemand);

        Assert.Contains(services, d => d.ServiceType == typeof(PersisterDemandController));
        Assert.Contains(services, d => d.ImplementationType == typeof(PersisterDemandReconciler));
        Assert.Contains(services, d => d.ServiceType == typeof(PersisterDemandChangedConsumer));
    }

    [Fact]
    public void With_Persisters_OnDemand_false_nothing_of_it_is_registered()
    {
        var services = Services("false");

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(PersisterDemandController));
        Assert.DoesNotContain(services, d => d.ImplementationType == typeof(PersisterDemandReconciler));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(PersisterDemandChangedConsumer));
    }
}
