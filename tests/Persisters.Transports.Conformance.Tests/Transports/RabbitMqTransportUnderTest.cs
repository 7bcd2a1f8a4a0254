using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Persisters.Scheduling;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Persisters.Transports.Conformance.Tests.Transports;

/// <summary>
/// The test RabbitMQ (scripts/services.sh): one fresh virtual host per test, deleted afterwards. Queue state comes from
/// the broker itself (a passive queue declare answers with the live consumer and ready-message counts). Scheduling uses
/// the delayed-message exchange only if the broker has that plugin, otherwise the project's durable scheduler (Quartz,
/// RAM store) on a <c>scheduler</c> queue in the same virtual host. The size limit is the broker's
/// <c>max_message_size</c>, which scripts/services.sh sets to 16 MiB.
/// </summary>
public sealed class RabbitMqTransportUnderTest : IDurableTransportUnderTest
{
    /// <summary>max_message_size written by scripts/services.sh into rabbitmq.conf.</summary>
    public const long BrokerMaxMessageSize = 16 * 1024 * 1024;

    private HttpClient? _management;
    private IConnection? _connection;
    private bool _hasDelayedExchange;

    public string Name => "RabbitMq";
    public string VirtualHost { get; } = "conformance-" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        _management = new HttpClient { BaseAddress = TestServers.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(10) };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestServers.RabbitMqUser}:{TestServers.RabbitMqPassword}")));
        (await _management.PutAsync($"/api/vhosts/{VirtualHost}", null)).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"/api/permissions/{VirtualHost}/{TestServers.RabbitMqUser}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();

        using var overview = JsonDocument.Parse(await _management.GetStringAsync("/api/overview"));
        _hasDelayedExchange = overview.RootElement.GetProperty("exchange_types").EnumerateArray()
            .Any(t => t.GetProperty("name").GetString() == "x-delayed-message");

        _connection = await new ConnectionFactory
        {
            HostName = TestServers.RabbitMqHost,
            Port = TestServers.RabbitMqPort,
            VirtualHost = VirtualHost,
            UserName = TestServers.RabbitMqUser,
            Password = TestServers.RabbitMqPassword,
            ClientProvidedName = "conformance-observer",
        }.CreateConnectionAsync();
    }

    public void UseTransport(IBusRegistrationConfigurator x, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure) =>
        x.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(TestServers.RabbitMqHost, TestServers.RabbitMqPort, VirtualHost, h =>
            {
                h.Username(TestServers.RabbitMqUser);
                h.Password(TestServers.RabbitMqPassword);
            });
            configure(context, cfg);
        });

    public void AddScheduler(IBusRegistrationConfigurator x)
    {
        if (_hasDelayedExchange)
            x.AddDelayedMessageScheduler();
        else
            x.AddDurableMessageScheduler(new SchedulerOptions
            {
                Store = SchedulerStore.Memory,
                InstanceName = "conformance-" + Guid.NewGuid().ToString("N")[..8],
                IdleWaitTime = TimeSpan.FromSeconds(1),
                MisfireThreshold = TimeSpan.FromSeconds(2),
                SendRetryDelay = TimeSpan.FromMilliseconds(200),
                ThreadCount = 2,
                MaxBatchSize = 2,
            });
    }

    public void UseScheduler(IBusRegistrationContext context, IBusFactoryConfigurator cfg)
    {
        if (_hasDelayedExchange)
            cfg.UseDelayedMessageScheduler();
        else
            cfg.UseDurableMessageScheduler(context);
    }

    public MessageSizeLimit? SizeLimit => new(BrokerMaxMessageSize, SizeRefusal.RetriedUntilCancelled, @"PRECONDITION_FAILED - message size \d+ is larger than configured max size 16777216");

    /// <summary>
    /// A passive queue declare: the broker's own, current consumer and ready-message counts (the management API's
    /// <c>/api/queues/{vhost}/{queue}</c> reports the same numbers but refreshes them only every 5 s).
    /// </summary>
    public async Task<QueueObservation> ObserveQueueAsync(string queue)
    {
        var connection = _connection ?? throw new InvalidOperationException("InitializeAsync first");
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return new QueueObservation(ok.ConsumerCount, ok.MessageCount, null);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return new QueueObservation(0, 0, null);
        }
    }

    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["CONFORMANCE_TRANSPORT"] = "RabbitMq",
        ["CONFORMANCE_RABBITMQ_HOST"] = TestServers.RabbitMqHost,
        ["CONFORMANCE_RABBITMQ_PORT"] = TestServers.RabbitMqPort.ToString(),
        ["CONFORMANCE_RABBITMQ_VHOST"] = VirtualHost,
        ["CONFORMANCE_RABBITMQ_USER"] = TestServers.RabbitMqUser,
        ["CONFORMANCE_RABBITMQ_PASSWORD"] = TestServers.RabbitMqPassword,
    };

    /// <summary>RabbitMQ requeues a dead connection's unacknowledged messages as soon as it notices the socket closed.</summary>
    public TimeSpan RedeliveryTimeout => TimeSpan.FromSeconds(15);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
        if (_management is not null)
        {
            await _management.DeleteAsync($"/api/vhosts/{VirtualHost}");
            _management.Dispose();
        }
    }
}
