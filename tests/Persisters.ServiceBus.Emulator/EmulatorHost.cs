using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Persisters.ServiceBus.Emulator.Amqp;
using Persisters.ServiceBus.Emulator.Broker;
using Persisters.ServiceBus.Emulator.Http;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator;

/// <summary>Settings of one emulator instance.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Address both ports bind to (loopback by default).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>AMQP port (0: any free port); also serves the HTTP management API, as UseDevelopmentEmulator clients expect.</summary>
    public int AmqpPort { get; set; } = 5672;

    /// <summary>Separate HTTP port for the management API and /_emulator/stats (0: any free port).</summary>
    public int ManagementPort { get; set; } = 5300;

    public string NamespaceName { get; set; } = "sbemulatorns";

    /// <summary>Shared access keys; the first is used in <see cref="EmulatorHost.ConnectionString"/>.</summary>
    public List<SharedAccessKey> Keys { get; set; } = new() { new("RootManageSharedAccessKey", "SAS_KEY_VALUE", AccessRights.All) };

    /// <summary>Largest message (or batch) accepted, in bytes: 256 KB, Service Bus Standard tier's limit.</summary>
    public long MaxMessageSizeBytes { get; set; } = 256 * 1024;

    /// <summary>Optional JSON file of pre-provisioned entities (Microsoft's emulator Config.json layout).</summary>
    public string? ConfigPath { get; set; }
}

/// <summary>A running emulator: the namespace, the AMQP listener and the HTTP endpoint.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication web;
    private readonly AmqpServer amqp;
    private readonly ProtocolSniffingListener listener;

    private EmulatorHost(EmulatorOptions options, ServiceBusNamespace ns, WebApplication web, AmqpServer amqp, ProtocolSniffingListener listener, int managementPort)
    {
        Options = options;
        Namespace = ns;
        this.web = web;
        this.amqp = amqp;
        this.listener = listener;
        ManagementPort = managementPort;
        AmqpPort = listener.Port;
    }

    public EmulatorOptions Options { get; }
    public ServiceBusNamespace Namespace { get; }
    public int AmqpPort { get; }
    public int ManagementPort { get; }

    /// <summary>The connection string for ServiceBusClient and ServiceBusAdministrationClient (first key).</summary>
    public string ConnectionString => ConnectionStringFor(Options.Keys[0]);

    public string ConnectionStringFor(SharedAccessKey key) =>
        $"Endpoint=sb://{Options.Host}:{AmqpPort};SharedAccessKeyName={key.Name};SharedAccessKey={key.Key};UseDevelopmentEmulator=true";

    /// <summary>Starts listening; throws when a port is taken or the configuration file is invalid.</summary>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        var ns = new ServiceBusNamespace(options.NamespaceName);
        try
        {
            if (options.ConfigPath != null)
            {
                EmulatorConfig.Provision(options.ConfigPath, ns);
            }

            var authority = new SasAuthority(options.Keys);
            var amqp = new AmqpServer(ns, authority, options.MaxMessageSizeBytes);
            var administration = new AdministrationApi(ns, authority, new EntityProvisioner(ns));
            var stats = new StatsApi(ns, () => amqp.ConnectionCount);

            IPAddress address = IPAddress.Parse(options.Host);
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(address, options.ManagementPort));
            WebApplication web = builder.Build();
            web.Run(context => context.Request.Path.StartsWithSegments("/_emulator")
                ? stats.HandleAsync(context)
                : administration.HandleAsync(context));
            await web.StartAsync(cancellationToken);
            string bound = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            int managementPort = new Uri(bound).Port;

            var listener = new ProtocolSniffingListener(new IPEndPoint(address, options.AmqpPort), new IPEndPoint(address, managementPort));
            try
            {
                listener.Bind();
            }
            catch
            {
                await web.DisposeAsync();
                throw;
            }

            amqp.Start(listener);
            return new EmulatorHost(options, ns, web, amqp, listener, managementPort);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        amqp.Dispose();
        listener.SafeClose();
        await web.DisposeAsync();
        Namespace.Dispose();
    }
}
