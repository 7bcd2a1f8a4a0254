using System.Net.Http.Json;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.ServiceBus.Emulator.Tests;

/// <summary>
/// One emulator per test class, started in-process on free loopback ports, driven only through the official SDK
/// (ServiceBusClient, ServiceBusAdministrationClient) with the connection string a user would write.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    public ServiceBusClient Client { get; private set; } = null!;
    public ServiceBusAdministrationClient Admin { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public string ConnectionString => Host.ConnectionString;

    public async Task InitializeAsync()
    {
        Host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            AmqpPort = 0,
            ManagementPort = 0,
            Keys =
            {
                new Security.SharedAccessKey("SendListenOnly", "c2VuZC1saXN0ZW4ta2V5", Security.AccessRights.Send | Security.AccessRights.Listen),
            },
        });
        Client = new ServiceBusClient(ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, TryTimeout = TimeSpan.FromSeconds(30), Delay = TimeSpan.FromMilliseconds(100) },
        });
        Admin = new ServiceBusAdministrationClient(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Host.DisposeAsync();
        Http.Dispose();
    }

    /// <summary>A new queue with a unique name (tests share the emulator).</summary>
    public async Task<string> CreateQueueAsync(Action<CreateQueueOptions>? configure = null)
    {
        var options = new CreateQueueOptions("q-" + Guid.NewGuid().ToString("N")[..12]);
        configure?.Invoke(options);
        await Admin.CreateQueueAsync(options);
        return options.Name;
    }

    /// <summary>GET /_emulator/stats: the entry of one address.</summary>
    public async Task<JsonElement> StatsAsync(string path)
    {
        JsonElement root = await Http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{Host.ManagementPort}/_emulator/stats");
        return root.GetProperty("entities").GetProperty(path);
    }
}

[CollectionDefinition(nameof(EmulatorCollection))]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>;
