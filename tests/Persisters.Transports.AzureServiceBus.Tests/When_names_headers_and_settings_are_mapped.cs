using Azure.Messaging.ServiceBus;
using MassTransit;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Scheduling;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.AzureServiceBus.Transport;

namespace Persisters.Transports.AzureServiceBus.Tests;

/// <summary>The parts that need no server: entity names, addresses, the entities an endpoint needs, headers, settings checks.</summary>
public sealed class When_names_headers_and_settings_are_mapped
{
    private const string ConnectionString = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=a2V5";

    private static (ServiceBusBusConfiguration Bus, IBusControl Control) Build(Uri hostAddress, Action<IServiceBusBusFactoryConfigurator> configure)
    {
        var busConfiguration = new ServiceBusBusConfiguration(new ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration.CreateMessageTopology()));
        var configurator = new ServiceBusBusFactoryConfigurator(busConfiguration);
        configurator.Host(hostAddress, h => h.ConnectionString = ConnectionString);
        configure(configurator);
        return (busConfiguration, configurator.Build(busConfiguration));
    }

    [Fact]
    public void A_connection_string_gives_the_namespace_address_and_keeps_a_non_default_port()
    {
        var settings = new ServiceBusHostConfigurator(ConnectionString).Settings;
        Assert.Equal(new Uri("sb://contoso.servicebus.windows.net/"), settings.HostAddress);
        Assert.Equal("contoso.servicebus.windows.net", settings.FullyQualifiedNamespace);
        Assert.Equal("", settings.Scope);
        settings.Validate();

        var emulator = new ServiceBusHostConfigurator("Endpoint=sb://127.0.0.1:5673;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true").Settings;
        Assert.Equal(new Uri("sb://127.0.0.1:5673/"), emulator.HostAddress);
        emulator.Validate();
    }

    [Fact]
    public void A_scope_in_the_host_address_puts_queues_under_it_and_suffixes_subscription_names()
    {
        var (bus, _) = Build(new Uri("sb://contoso.servicebus.windows.net/staging"), cfg =>
            cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(_ => Task.CompletedTask)));

        var entities = Assert.Single(bus.HostConfiguration.GetEndpointEntities(), e => !e.IsTemporary);
        Assert.Equal("staging/orders", entities.Queue.Name);
        Assert.Equal("staging/orders_error", entities.ErrorQueue!.Name);
        Assert.Equal("staging/orders_skipped", entities.SkippedQueue!.Name);
        Assert.Equal(TimeSpan.FromMinutes(5), entities.Queue.LockDuration);
        Assert.Equal(5, entities.Queue.MaxDeliveryCount);
        Assert.True(entities.Queue.DeadLetteringOnMessageExpiration);
        var topic = Assert.Single(entities.Topics);
        Assert.Equal("Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced", topic.Name);
        var subscription = Assert.Single(entities.Subscriptions);
        Assert.Equal(topic.Name, subscription.TopicName);
        Assert.Equal("orders-staging", subscription.SubscriptionName);
        Assert.Equal("staging/orders", subscription.ForwardTo);
    }

    [Fact]
    public void Endpoint_settings_reach_the_queue_and_explicit_subscriptions_are_added()
    {
        var (bus, _) = Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg =>
            cfg.ReceiveEndpoint("audit", e =>
            {
                e.LockDuration = TimeSpan.FromSeconds(30);
                e.MaxDeliveryCount = 10;
                e.DefaultMessageTimeToLive = TimeSpan.FromDays(2);
                e.ConfigureConsumeTopology = false;
                e.Subscribe<UserRenamed>("audit-renames");
                e.Subscribe("Legacy/Events", "audit-legacy");
                e.Handler<UserRenamed>(_ => Task.CompletedTask);
            }));

        var entities = Assert.Single(bus.HostConfiguration.GetEndpointEntities(), e => !e.IsTemporary);
        Assert.Equal("audit", entities.Queue.Name);
        Assert.Equal(TimeSpan.FromSeconds(30), entities.Queue.LockDuration);
        Assert.Equal(10, entities.Queue.MaxDeliveryCount);
        Assert.Equal(TimeSpan.FromDays(2), entities.Queue.DefaultMessageTimeToLive);
        // The endpoint queue's time to live does not bound its _error and _skipped queues.
        Assert.Equal(10, entities.ErrorQueue!.MaxDeliveryCount);
        Assert.Equal(TimeSpan.MaxValue, entities.ErrorQueue.DefaultMessageTimeToLive);
        Assert.Equal(TimeSpan.MaxValue, entities.SkippedQueue!.DefaultMessageTimeToLive);
        Assert.Equal(["Legacy/Events", "Persisters.Transports.AzureServiceBus.Tests.Messages/UserRenamed"],
            entities.Topics.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["audit-legacy", "audit-renames"], entities.Subscriptions.Select(s => s.SubscriptionName).Order(StringComparer.Ordinal).ToArray());
        Assert.All(entities.Subscriptions, s => Assert.Equal("audit", s.ForwardTo));
    }

    [Fact]
    public void Temporary_and_terminal_queues_get_no_error_or_skipped_queues()
    {
        var (bus, _) = Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg =>
        {
            cfg.ReceiveEndpoint("orders_error", e => e.Handler<OrderPlaced>(_ => Task.CompletedTask));
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("notify"), null, e => e.Handler<Ping>(_ => Task.CompletedTask));
        });

        var endpoints = bus.HostConfiguration.GetEndpointEntities();
        var terminal = Assert.Single(endpoints, e => e.Queue.Name == "orders_error");
        Assert.Null(terminal.ErrorQueue);
        Assert.Null(terminal.SkippedQueue);
        var temporary = Assert.Single(endpoints, e => e.IsTemporary && e.Queue.Name != terminal.Queue.Name && e.Subscriptions.Count > 0);
        Assert.Null(temporary.ErrorQueue);
        Assert.Equal(TimeSpan.FromMinutes(5), temporary.Queue.AutoDeleteOnIdle);
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(temporary.Subscriptions).AutoDeleteOnIdle);
    }

    [Fact]
    public void The_bus_endpoint_is_temporary_and_its_address_says_so()
    {
        var (bus, control) = Build(new Uri("sb://contoso.servicebus.windows.net/"), _ => { });
        var busEndpoint = Assert.Single(bus.HostConfiguration.GetEndpointEntities());
        Assert.True(busEndpoint.IsTemporary);
        Assert.Contains("?autodelete=300", control.Address.ToString());
        Assert.Equal(busEndpoint.Queue.Name, control.Address.AbsolutePath.Trim('/'));
    }

    [Fact]
    public void Another_namespace_separator_gives_topic_names_without_slashes()
    {
        var (bus, _) = Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg =>
        {
            cfg.SetNamespaceSeparatorToUnderscore();
            cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(_ => Task.CompletedTask));
        });
        var entities = Assert.Single(bus.HostConfiguration.GetEndpointEntities(), e => !e.IsTemporary);
        Assert.Equal("Persisters.Transports.AzureServiceBus.Tests.Messages_OrderPlaced", Assert.Single(entities.Topics).Name);
        Assert.Throws<ArgumentException>(() => Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg => cfg.SetNamespaceSeparatorTo(":")));
        // Service Bus refuses '~' in entity names (MassTransit issue #1929), so it is refused here, at configuration.
        var tilde = Assert.Throws<ArgumentException>(() => Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg => cfg.SetNamespaceSeparatorTo("~")));
        Assert.Contains("only letters, digits, '.', '-' and '_'", tilde.Message);
    }

    [Fact]
    public void Subscription_names_fit_fifty_characters_and_stay_distinct()
    {
        Assert.Equal("orders", ServiceBusNames.SubscriptionNameFor("orders", ""));
        Assert.Equal("orders-b", ServiceBusNames.SubscriptionNameFor("a/b/orders", "a/b"));
        var longName = ServiceBusNames.SubscriptionNameFor(new string('q', 60), "scope");
        Assert.Equal(50, longName.Length);
        Assert.StartsWith(new string('q', 43) + "-", longName);
        Assert.NotEqual(longName, ServiceBusNames.SubscriptionNameFor(new string('q', 61), "scope"));
        Assert.True(ServiceBusNames.IsValidSubscriptionName(longName));
    }

    [Theory]
    [InlineData("orders", true)]
    [InlineData("scope/orders_error", true)]
    [InlineData("Persisters.Contracts/EvaluationEvent", true)]
    [InlineData("MassTransit/Fault--Ns/Type--", true)]
    [InlineData("/leading", false)]
    [InlineData("trailing/", false)]
    [InlineData("double//slash", false)]
    [InlineData("space here", false)]
    [InlineData("", false)]
    public void Entity_paths_follow_service_bus_naming_rules(string path, bool valid) =>
        Assert.Equal(valid, ServiceBusNames.IsValidEntityPath(path));

    [Fact]
    public void An_entity_path_longer_than_260_characters_is_refused()
    {
        Assert.True(ServiceBusNames.IsValidEntityPath(new string('a', 260)));
        Assert.False(ServiceBusNames.IsValidEntityPath(new string('a', 261)));
    }

    [Fact]
    public void Addresses_name_queues_under_the_scope_and_topics_at_the_root()
    {
        var host = new Uri("sb://contoso.servicebus.windows.net/staging/");
        Assert.Equal(new ServiceBusAddress(ServiceBusEntityType.Queue, "staging/orders"), ServiceBusAddress.Parse("staging", new Uri("queue:orders")));
        Assert.Equal(new ServiceBusAddress(ServiceBusEntityType.Queue, "staging/orders"),
            ServiceBusAddress.Parse("staging", new Uri("queue:orders?durable=true")));
        Assert.Equal(new ServiceBusAddress(ServiceBusEntityType.Queue, "other/orders"),
            ServiceBusAddress.Parse("staging", new Uri("sb://contoso.servicebus.windows.net/other/orders")));
        Assert.Equal(new ServiceBusAddress(ServiceBusEntityType.Topic, "Ns/Type"), ServiceBusAddress.Parse("staging", new Uri("topic:Ns/Type")));
        Assert.Equal(new ServiceBusAddress(ServiceBusEntityType.Topic, "Ns/Type"),
            ServiceBusAddress.Parse("staging", new Uri("sb://contoso.servicebus.windows.net/Ns/Type?type=topic")));
        Assert.Equal(new Uri("sb://contoso.servicebus.windows.net/Ns/Type?type=topic"),
            new ServiceBusAddress(ServiceBusEntityType.Topic, "Ns/Type").ToUri(host));
        Assert.Throws<ArgumentException>(() => ServiceBusAddress.Parse("staging", new Uri("rabbitmq://localhost/orders")));
    }

    [Fact]
    public void A_published_type_forwards_to_the_topics_of_the_types_it_implements()
    {
        var topology = new ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration.CreateMessageTopology());
        var entities = topology.Publish.GetPublishEntities<UserRenamed>();

        Assert.Equal("Persisters.Transports.AzureServiceBus.Tests.Messages/UserRenamed", entities.TopicPath);
        Assert.Equal(["Persisters.Transports.AzureServiceBus.Tests.Messages/IAuditEvent"], entities.ImplementedTopicPaths);
        var forward = Assert.Single(entities.ForwardingSubscriptions());
        Assert.Equal(entities.TopicPath, forward.TopicName);
        Assert.Equal("Persisters.Transports.AzureServiceBus.Tests.Messages/IAuditEvent", forward.ForwardTo);
        Assert.True(ServiceBusNames.IsValidSubscriptionName(forward.SubscriptionName));
        Assert.Empty(topology.Publish.GetPublishEntities<OrderPlaced>().ImplementedTopicPaths);
        Assert.Equal("Persisters.Transports.AzureServiceBus.Tests.Messages/Envelope--Ping--",
            topology.Publish.GetPublishEntities<Envelope<Ping>>().TopicPath);
    }

    [Fact]
    public void Received_messages_expose_ids_content_type_and_application_properties_as_headers()
    {
        var message = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: BinaryData.FromString("{}"), messageId: "0123456789abcdef0123456789abcdef", correlationId: "c0ffee",
            contentType: "application/vnd.masstransit+json", deliveryCount: 2,
            properties: new Dictionary<string, object> { ["MT-Fault-Message"] = "boom", ["X-Tenant"] = "acme", ["Count"] = 3 });
        var headers = new ServiceBusHeaderProvider(message);

        var all = headers.GetAll().ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal("0123456789abcdef0123456789abcdef", all[MessageHeaders.MessageId]);
        Assert.Equal("c0ffee", all[MessageHeaders.CorrelationId]);
        Assert.Equal("application/vnd.masstransit+json", all[MessageHeaders.ContentType]);
        Assert.Equal("boom", all["MT-Fault-Message"]);
        Assert.Equal(3, all["Count"]);
        Assert.True(headers.TryGetHeader("x-tenant", out var tenant) || headers.TryGetHeader("X-Tenant", out tenant));
        Assert.Equal("acme", tenant);
        Assert.False(headers.TryGetHeader("Missing", out _));
    }

    [Fact]
    public void A_scheduled_message_token_carries_its_sequence_number_and_other_tokens_do_not()
    {
        foreach (var sequence in new[] { 0L, 1L, 42L, long.MaxValue })
        {
            Assert.True(ScheduledSequenceNumber.TryRead(ScheduledSequenceNumber.ToTokenId(sequence), out var read));
            Assert.Equal(sequence, read);
        }
        Assert.False(ScheduledSequenceNumber.TryRead(Guid.NewGuid(), out _));
    }

    [Fact]
    public void The_size_estimate_counts_body_and_properties()
    {
        var small = new ServiceBusMessage(new byte[100]);
        var large = new ServiceBusMessage(new byte[100]) { ApplicationProperties = { ["X"] = new string('p', 1000) } };
        Assert.InRange(ServiceBusSendQueue.EstimateSize(small), 100, 200);
        Assert.InRange(ServiceBusSendQueue.EstimateSize(large) - ServiceBusSendQueue.EstimateSize(small), 1000, 1010);
    }

    [Theory]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k", "no SharedAccessKeyName and SharedAccessKey")]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=orders", "names an entity")]
    public void Bad_connection_strings_are_refused_by_what_is_wrong(string connectionString, string message)
    {
        var settings = new ServiceBusHostSettings { ServiceUri = new Uri("sb://ns.servicebus.windows.net/"), ConnectionString = connectionString };
        var refused = Assert.Throws<ConfigurationException>(settings.Validate);
        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public void Credentials_are_one_of_a_kind()
    {
        var configurator = new ServiceBusHostConfigurator(new Uri("sb://ns.servicebus.windows.net/"));
        configurator.TokenCredential = new Azure.Identity.DefaultAzureCredential();
        var refused = Assert.Throws<ArgumentException>(() => configurator.ConnectionString = ConnectionString);
        Assert.Contains("cannot be combined", refused.Message);

        var none = new ServiceBusHostSettings { ServiceUri = new Uri("sb://ns.servicebus.windows.net/") };
        Assert.Contains("no credentials", Assert.Throws<ConfigurationException>(none.Validate).Message);
        var badScope = new ServiceBusHostSettings { ServiceUri = new Uri("sb://ns.servicebus.windows.net/bad%20scope"), ConnectionString = ConnectionString };
        Assert.Contains("scope", Assert.Throws<ConfigurationException>(badScope.Validate).Message);
    }

    [Fact]
    public void A_bus_without_a_host_is_refused_when_it_is_built()
    {
        var refused = Assert.ThrowsAny<ConfigurationException>(() => Bus.Factory.CreateUsingAzureServiceBus(_ => { }));
        Assert.Contains("Host", refused.Message);
    }

    [Fact]
    public void Entity_descriptions_name_what_to_provision_with_its_settings()
    {
        var (bus, _) = Build(new Uri("sb://contoso.servicebus.windows.net/"), cfg =>
            cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(_ => Task.CompletedTask)));
        var lines = bus.HostConfiguration.GetEndpointEntities().Single(e => !e.IsTemporary).Describe().Select(d => d.ToString()).ToArray();

        Assert.Equal(
        [
            "queue orders (DeadLetteringOnMessageExpiration=true, LockDuration=PT5M, MaxDeliveryCount=5)",
            "queue orders_error (DeadLetteringOnMessageExpiration=true, LockDuration=PT5M, MaxDeliveryCount=5)",
            "queue orders_skipped (DeadLetteringOnMessageExpiration=true, LockDuration=PT5M, MaxDeliveryCount=5)",
            "topic Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced",
            "subscription Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced/Subscriptions/orders (ForwardTo=orders)",
        ], lines);
    }
}
