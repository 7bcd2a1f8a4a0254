using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.ServiceBus.Emulator;

namespace Persisters.IntegrationTests.Support;

/// <summary>
/// One test's world: its own MariaDB database and RabbitMQ virtual host (or, on Amazon SQS, its own queue-name
/// prefix; on Azure Service Bus, its own scope), the host's environment for them, a publish-only bus, and the
/// definitions store.
/// </summary>
public enum Broker
{
    RabbitMq,
    AmazonSqs,
    AzureServiceBus,
    /// <summary>
    /// Amazon SQS with every optional setting at its documented default: no queue prefix, no keys (the default AWS credential
    /// chain, here its environment variables). Isolated by a private SQS server instead of a prefix.
    /// </summary>
    AmazonSqsDefaults,
    /// <summary>
    /// Azure Service Bus with every optional setting at its documented default: only the connection string (no scope, '/'
    /// between namespace and type, CreateEntities true, the default lock duration). Isolated by a private Service Bus test
    /// emulator (in this test process) instead of a scope.
    /// </summary>
    AzureServiceBusDefaults,
}

/// <summary>The MariaDB and RabbitMQ servers a test runs on: the shared test servers, or private ones (the chaos tests').</summary>
public sealed record ServerEndpoints(string MySqlAdmin, string RabbitMqHost, ushort RabbitMqPort, Uri RabbitMqManagement)
{
    public static ServerEndpoints Shared => new(TestServers.MySqlAdmin, TestServers.RabbitMqHost, TestServers.RabbitMqPort, TestServers.RabbitMqManagement);
}

public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly RabbitMqVirtualHost? _vhost;
    private readonly SqsServerProcess? _sqsServer;
    private readonly EmulatorHost? _emulator;

    private ServiceUnderTest(Broker broker, ServerEndpoints servers, TestDatabase database, RabbitMqVirtualHost? vhost, string? queuePrefix, SqsServerProcess? sqsServer,
        EmulatorHost? emulator, IBusControl bus, ServiceProvider services)
    {
        Broker = broker;
        Servers = servers;
        Database = database;
        _vhost = vhost;
        _sqsServer = sqsServer;
        _emulator = emulator;
        QueuePrefix = queuePrefix;
        Bus = bus;
        Services = services;
        Environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "MySql",
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Persisters__DefinitionsRefreshInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (broker == Broker.RabbitMq)
        {
            Environment["Transport__Kind"] = "RabbitMq";
            Environment["Transport__RabbitMq__Host"] = servers.RabbitMqHost;
            Environment["Transport__RabbitMq__Port"] = servers.RabbitMqPort.ToString();
            Environment["Transport__RabbitMq__ManagementUrl"] = servers.RabbitMqManagement.ToString();
            Environment["Transport__RabbitMq__VirtualHost"] = vhost!.Name;
            Environment["Transport__RabbitMq__Username"] = TestServers.RabbitMqUser;
            Environment["Transport__RabbitMq__Password"] = TestServers.RabbitMqPassword;
        }
        else if (broker == Broker.AzureServiceBus)
        {
            Environment["Transport__Kind"] = "AzureServiceBus";
            Environment["Transport__AzureServiceBus__ConnectionString"] = TestServers.ServiceBusConnectionString;
            Environment["Transport__AzureServiceBus__Scope"] = queuePrefix!;
        }
        else if (broker == Broker.AzureServiceBusDefaults)
        {
            // Only what has no default: the connection string.
            Environment["Transport__Kind"] = "AzureServiceBus";
            Environment["Transport__AzureServiceBus__ConnectionString"] = emulator!.ConnectionString;
        }
        else if (broker == Broker.AmazonSqs)
        {
            Environment["Transport__Kind"] = "AmazonSqs";
            Environment["Transport__AmazonSqs__Region"] = TestServers.SqsRegion;
            Environment["Transport__AmazonSqs__ServiceUrl"] = TestServers.SqsUrl;
            Environment["Transport__AmazonSqs__AccessKey"] = TestServers.SqsAccessKey;
            Environment["Transport__AmazonSqs__SecretKey"] = TestServers.SqsSecretKey;
            Environment["Transport__AmazonSqs__QueuePrefix"] = queuePrefix!;
        }
        else
        {
            // Only what has no default: the region, and the server's URL (the default is AWS itself).
            Environment["Transport__Kind"] = "AmazonSqs";
            Environment["Transport__AmazonSqs__Region"] = TestServers.SqsRegion;
            Environment["Transport__AmazonSqs__ServiceUrl"] = sqsServer!.Url;
            Environment["AWS_ACCESS_KEY_ID"] = TestServers.SqsAccessKey;
            Environment["AWS_SECRET_ACCESS_KEY"] = TestServers.SqsSecretKey;
        }
    }

    public Broker Broker { get; }
    /// <summary>Whether this test runs on Azure Service Bus (the shared emulator under a scope, or a private one with the defaults).</summary>
    public bool IsServiceBus => Broker is Broker.AzureServiceBus or Broker.AzureServiceBusDefaults;

    /// <summary>On Azure Service Bus: the connection string of the emulator this test runs on (the shared one, or its private one).</summary>
    public string ServiceBusConnectionString => _emulator?.ConnectionString ?? TestServers.ServiceBusConnectionString;

    /// <summary>On Azure Service Bus: the path of an endpoint's queue (under this test's scope, if it has one).</summary>
    public string ServiceBusPath(string queue) => QueuePrefix is null ? queue : $"{QueuePrefix}/{queue}";

    public ServerEndpoints Servers { get; }
    /// <summary>On Amazon SQS: the prefix of this test's queues; on Azure Service Bus: its scope (its namespace on the shared server).</summary>
    public string? QueuePrefix { get; }
    public TestDatabase Database { get; }
    public RabbitMqVirtualHost VirtualHost => _vhost ?? throw new InvalidOperationException("This test runs on Amazon SQS, not RabbitMQ.");
    public IBusControl Bus { get; }
    public ServiceProvider Services { get; }
    public Dictionary<string, string> Environment { get; }

    /// <summary>Creates the database and virtual host and applies the schema with the host's own migrate verb.</summary>
    /// <param name="servers">MariaDB and RabbitMQ to run on (default: the shared test servers).</param>
    public static async Task<ServiceUnderTest> CreateAsync(Broker broker = Broker.RabbitMq, ServerEndpoints? servers = null)
    {
        servers ??= ServerEndpoints.Shared;
        var database = await TestDatabase.MariaDbAsync(admin: servers.MySqlAdmin);
        RabbitMqVirtualHost? vhost = null;
        SqsServerProcess? sqsServer = null;
        EmulatorHost? emulator = null;
        string? prefix = null;
        IBusControl bus;
        if (broker == Broker.RabbitMq)
        {
            vhost = await RabbitMqVirtualHost.CreateAsync(servers.RabbitMqManagement);
            bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
                cfg.Host(servers.RabbitMqHost, servers.RabbitMqPort, vhost.Name, h =>
                {
                    h.Username(TestServers.RabbitMqUser);
                    h.Password(TestServers.RabbitMqPassword);
                }));
        }
        else if (broker == Broker.AzureServiceBus)
        {
            prefix = $"it{Guid.NewGuid():N}"[..14];
            var scope = prefix;
            var endpoint = Azure.Messaging.ServiceBus.ServiceBusConnectionStringProperties.Parse(TestServers.ServiceBusConnectionString).Endpoint;
            bus = MassTransit.Bus.Factory.CreateUsingAzureServiceBus(cfg =>
            {
                cfg.Host(new Uri($"sb://{endpoint.Host}:{endpoint.Port}/{scope}"), h => h.ConnectionString = TestServers.ServiceBusConnectionString);
                // As the host does with Transport__AzureServiceBus__Scope: topics under the scope too.
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, scope + "/"));
            });
        }
        else if (broker == Broker.AzureServiceBusDefaults)
        {
            emulator = await EmulatorHost.StartAsync(new EmulatorOptions { AmqpPort = 0, ManagementPort = 0 });
            var connectionString = emulator.ConnectionString;
            bus = MassTransit.Bus.Factory.CreateUsingAzureServiceBus(cfg => cfg.Host(connectionString));
        }
        else if (broker == Broker.AmazonSqsDefaults)
        {
            sqsServer = await SqsServerProcess.StartAsync();
            var url = sqsServer.Url;
            bus = MassTransit.Bus.Factory.CreateUsingAmazonSqs(cfg =>
                cfg.Host(TestServers.SqsRegion, h =>
                {
                    h.AccessKey(TestServers.SqsAccessKey);
                    h.SecretKey(TestServers.SqsSecretKey);
                    h.Config(new Amazon.SQS.AmazonSQSConfig { ServiceURL = url });
                }));
        }
        else
        {
            prefix = $"it{Guid.NewGuid():N}"[..14] + "-";
            bus = MassTransit.Bus.Factory.CreateUsingAmazonSqs(cfg =>
                cfg.Host(TestServers.SqsRegion, h =>
                {
                    h.AccessKey(TestServers.SqsAccessKey);
                    h.SecretKey(TestServers.SqsSecretKey);
                    h.Config(new Amazon.SQS.AmazonSQSConfig { ServiceURL = TestServers.SqsUrl });
                    h.QueueNamePrefix(prefix);
                }));
        }
        await bus.StartAsync();
        var services = new ServiceCollection()
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = database.ConnectionString })
            .BuildServiceProvider();
        var sut = new ServiceUnderTest(broker, servers, database, vhost, prefix, sqsServer, emulator, bus, services);
        var (exit, output) = await HostProcess.RunToEndAsync(sut.Environment, TimeSpan.FromMinutes(2), "migrate");
        Assert.True(exit == 0, $"migrate failed ({exit}):\n{output}");
        var (key, stored) = Persisters.Host.Ingest.ApiKeys.Create("integration-tests", Persisters.Host.Ingest.ApiKeyRole.Admin, [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await services.GetRequiredService<ApiKeyStore>().AddAsync(stored, CancellationToken.None);
        sut.AdminKey = key;
        return sut;
    }

    public async Task<HostProcess> StartHostAsync()
    {
        var host = HostProcess.Start(Environment, "run");
        try
        {
            await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await host.DisposeAsync(); // a host that never became ready must not outlive the test
            throw;
        }
        return host;
    }

    /// <summary>Writes the definition straight into the database (not through the saga); a host started afterwards reads it at start.</summary>
    public Task SeedAsync(ExperimentDefinition experiment) =>
        Services.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), CancellationToken.None);

    public Task SeedAsync(AutoOpsRuleDefinition rule) =>
        Services.GetRequiredService<DefinitionStore>().UpsertRuleAsync(rule, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), CancellationToken.None);

    /// <summary>Runs a verb with this world's settings and returns its exit code and output.</summary>
    public Task<(int ExitCode, string Output)> RunVerbAsync(params string[] args) => HostProcess.RunToEndAsync(Environment, TimeSpan.FromMinutes(1), args);

    /// <summary>An admin API key of this world's database (created with it), for the operator verbs.</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>
    /// Runs an operator verb (e.g. <c>experiments start --id …</c>) against the operator API of <paramref name="service"/>, a running
    /// host of this world, with <see cref="AdminKey"/>, and returns its exit code and output.
    /// </summary>
    public Task<(int ExitCode, string Output)> RunVerbAsync(HostProcess service, params string[] args) =>
        HostProcess.RunToEndAsync(new Dictionary<string, string>(Environment)
        {
            ["PERSISTERS_URL"] = $"http://127.0.0.1:{service.Port}",
            ["PERSISTERS_API_KEY"] = AdminKey,
        }, TimeSpan.FromMinutes(1), args);

    /// <summary>
    /// Waits until every queue has the number of consumers the broker lists for it (or fails with what it saw): RabbitMQ's
    /// consumer list, or on Azure Service Bus the receiver links the emulator counts open on each queue.
    /// </summary>
    public async Task ShouldHaveConsumersAsync(IReadOnlyDictionary<string, int> expected, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var seen = IsServiceBus ? await ServiceBusReceiverLinksAsync(expected.Keys) : await VirtualHost.ConsumersAsync();
            if (expected.All(e => seen.GetValueOrDefault(e.Key) == e.Value)) return;
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Expected consumers {string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}; the broker lists {string.Join(", ", expected.Keys.Select(k => $"{k}={seen.GetValueOrDefault(k)}"))}.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Open receiver links per queue (by its name below this test's scope), from the emulator's stats.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ServiceBusReceiverLinksAsync(IEnumerable<string> queues)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var stats = _emulator is null ? TestServers.ServiceBusStatsUrl : new Uri($"http://127.0.0.1:{_emulator.ManagementPort}/_emulator/stats");
        using var document = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(stats));
        var entities = document.RootElement.GetProperty("entities");
        return queues.ToDictionary(q => q, q => entities.TryGetProperty(ServiceBusPath(q), out var e) ? e.GetProperty("receiverLinks").GetInt32() : 0);
    }

    /// <summary>Whether the queue exists (declared) on this test's broker.</summary>
    public async Task<bool> QueueExistsAsync(string queue) => Broker switch
    {
        Broker.AzureServiceBus or Broker.AzureServiceBusDefaults => (await ServiceBusAdministration().QueueExistsAsync(ServiceBusPath(queue))).Value,
        _ => await VirtualHost.QueueExistsAsync(queue),
    };

    /// <summary>
    /// Messages in a queue, read from the broker itself (RabbitMQ: a passive declare, exact and immediate; SQS: visible plus
    /// in-flight messages; Service Bus: the queue's active message count, which counts locked messages too). Meant for queues
    /// nobody consumes.
    /// </summary>
    public async Task<long> QueueDepthAsync(string queue)
    {
        if (IsServiceBus) return (await ServiceBusAdministration().GetQueueRuntimePropertiesAsync(ServiceBusPath(queue))).Value.ActiveMessageCount;
        if (Broker == Broker.RabbitMq)
        {
            var factory = new RabbitMQ.Client.ConnectionFactory
            {
                HostName = Servers.RabbitMqHost, Port = Servers.RabbitMqPort, VirtualHost = VirtualHost.Name,
                UserName = TestServers.RabbitMqUser, Password = TestServers.RabbitMqPassword,
            };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        using var sqs = new Amazon.SQS.AmazonSQSClient(new Amazon.Runtime.BasicAWSCredentials(TestServers.SqsAccessKey, TestServers.SqsSecretKey),
            new Amazon.SQS.AmazonSQSConfig { ServiceURL = TestServers.SqsUrl, AuthenticationRegion = TestServers.SqsRegion });
        var url = (await sqs.GetQueueUrlAsync(QueuePrefix + queue)).QueueUrl;
        var attributes = (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).Attributes;
        // The local SQS server counts in-flight messages in ApproximateNumberOfMessages too (scripts/README.md).
        return long.Parse(attributes["ApproximateNumberOfMessages"]);
    }

    /// <summary>
    /// On Amazon SQS: a queue's MessageRetentionPeriod in seconds; on Azure Service Bus: its DefaultMessageTimeToLive in seconds,
    /// or -1 while it dead-letters expired messages (then it bounds nothing).
    /// </summary>
    public async Task<long> QueueRetentionSecondsAsync(string queue)
    {
        if (IsServiceBus)
        {
            var properties = (await ServiceBusAdministration().GetQueueAsync(ServiceBusPath(queue))).Value;
            return properties.DeadLetteringOnMessageExpiration ? -1 : (long)properties.DefaultMessageTimeToLive.TotalSeconds;
        }
        using var sqs = new Amazon.SQS.AmazonSQSClient(new Amazon.Runtime.BasicAWSCredentials(TestServers.SqsAccessKey, TestServers.SqsSecretKey),
            new Amazon.SQS.AmazonSQSConfig { ServiceURL = TestServers.SqsUrl, AuthenticationRegion = TestServers.SqsRegion });
        var url = (await sqs.GetQueueUrlAsync(QueuePrefix + queue)).QueueUrl;
        return long.Parse((await sqs.GetQueueAttributesAsync(url, ["MessageRetentionPeriod"])).Attributes["MessageRetentionPeriod"]);
    }

    public async Task PublishAsync<T>(IReadOnlyList<T> events) where T : class
    {
        foreach (var chunk in events.Chunk(500)) await Bus.PublishBatch(chunk);
    }

    /// <summary>Polls a count until it reaches <paramref name="expected"/> (or the timeout), then checks it holds still.</summary>
    public async Task<long> WaitForCountAsync(string sql, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long count;
        while ((count = await Database.ScalarAsync(sql)) < expected && DateTime.UtcNow < deadline) await Task.Delay(250);
        await Task.Delay(1500);
        return await Database.ScalarAsync(sql);
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.StopAsync();
        await Services.DisposeAsync();
        if (_vhost is not null) await _vhost.DisposeAsync();
        if (Broker == Broker.AzureServiceBus) await DeleteServiceBusScopeAsync();
        if (_emulator is not null) await _emulator.DisposeAsync();
        if (_sqsServer is not null) await _sqsServer.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>On Azure Service Bus: an administration client for this test's emulator (entity paths from <see cref="ServiceBusPath"/>).</summary>
    public Azure.Messaging.ServiceBus.Administration.ServiceBusAdministrationClient ServiceBusAdministration() => new(ServiceBusConnectionString);

    /// <summary>Deletes this test's topics and queues on the emulator (best effort: leftovers under a unique scope harm nobody).</summary>
    private async Task DeleteServiceBusScopeAsync()
    {
        try
        {
            var admin = ServiceBusAdministration();
            await foreach (var topic in admin.GetTopicsAsync())
                if (topic.Name.StartsWith(QueuePrefix + "/", StringComparison.Ordinal)) await admin.DeleteTopicAsync(topic.Name);
            await foreach (var queue in admin.GetQueuesAsync())
                if (queue.Name.StartsWith(QueuePrefix + "/", StringComparison.Ordinal)) await admin.DeleteQueueAsync(queue.Name);
        }
        catch (Exception)
        {
        }
    }
}
