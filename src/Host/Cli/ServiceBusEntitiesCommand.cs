using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Transports;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>servicebus-entities</c> verb: the queues, topics and subscriptions the service needs on Azure Service Bus, read
/// from the bus the service would build with the current settings (Scope, NamespaceSeparator, LockDuration), without
/// connecting to anything. This is what to provision when the host may not create entities
/// (<c>Transport__AzureServiceBus__CreateEntities=false</c>).
/// </summary>
public static class ServiceBusEntitiesCommand
{
    public const string Text = "text";
    public const string AzureCli = "az";
    public const string EmulatorConfig = "emulator-config";

    /// <summary>The verb and its option; a bad setting is exit code 2 (see <see cref="PersistersCommandLine"/>).</summary>
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = $"{Text} (one line per entity), {AzureCli} (Azure CLI commands) or {EmulatorConfig} (a Config.json for Microsoft's Service Bus emulator and the test emulator).",
            DefaultValueFactory = _ => Text,
        }.AcceptOnlyFromAmong(Text, AzureCli, EmulatorConfig);
        var command = HostArguments.AllowOn(new Command("servicebus-entities",
            "List the Azure Service Bus queues, topics and subscriptions the service needs (what to provision when Transport__AzureServiceBus__CreateEntities=false); connects to nothing.")
        {
            format,
        });
        command.SetAction((p, _) => PersistersCommandLine.Guard(() => Task.FromResult(Run(HostArguments.Of(p), p.GetValue(format)!))));
        return command;
    }

    private static int Run(string[] hostArgs, string format)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Warning);
        var settings = builder.AddPersistersSettings();
        if (settings.Transport.Kind != TransportKind.AzureServiceBus)
        {
            throw new SettingsException(
                $"servicebus-entities lists Azure Service Bus entities, but Transport:Kind is {settings.Transport.Kind} (environment: Transport__Kind=AzureServiceBus).");
        }
        // Every persister endpoint as a static endpoint: the same queues the demand controller connects and stops.
        settings.Persisters.OnDemand = false;
        builder.AddPersistersServices(settings, withPersisters: true);
        using var host = builder.Build();
        var entities = host.Services.GetRequiredService<Bind<IBus, IBusInstance>>().Value.GetServiceBusEntities();
        Console.Write(Render(entities, format, settings.Transport.AzureServiceBus));
        if (format != EmulatorConfig && entities.Any(e => (e.TopicPath ?? e.Path).Contains('/')))
        {
            Console.Error.WriteLine("note: some names contain '/', which Azure Resource Manager (portal, az, Bicep, Terraform) cannot create; " +
                "create them with the Service Bus administration API, or set Transport__AzureServiceBus__NamespaceSeparator=_ and leave the Scope empty.");
        }
        return 0;
    }

    /// <summary>The entities in one of the formats (see <see cref="Create"/>).</summary>
    public static string Render(IReadOnlyList<ServiceBusEntityDescription> entities, string format, AzureServiceBusTransportOptions options) => format switch
    {
        AzureCli => RenderAzureCli(entities),
        EmulatorConfig => RenderEmulatorConfig(entities),
        _ => RenderText(entities, options),
    };

    private static string RenderText(IReadOnlyList<ServiceBusEntityDescription> entities, AzureServiceBusTransportOptions options)
    {
        var lines = new List<string>
        {
            $"# Azure Service Bus entities of the persisters service (scope '{options.Scope}', namespace separator '{options.NamespaceSeparator}'). Durations are ISO 8601.",
            "# Not listed, because their names are made up at start: each host's temporary queue for PersisterDemandChanged (without it a",
            "# host learns of demand changes at its next reconcile, Persisters__ReconcileInterval) and its reply queue.",
        };
        lines.AddRange(entities.Select(e => e.ToString()));
        return string.Join('\n', lines) + "\n";
    }

    private static string RenderAzureCli(IReadOnlyList<ServiceBusEntityDescription> entities)
    {
        var lines = new List<string> { "# Set RESOURCE_GROUP and NAMESPACE first." };
        foreach (var entity in entities)
        {
            var target = "--resource-group \"$RESOURCE_GROUP\" --namespace-name \"$NAMESPACE\"";
            var settings = entity.Settings;
            switch (entity.Kind)
            {
                case ServiceBusEntityDescription.QueueKind:
                    lines.Add($"az servicebus queue create {target} --name '{entity.Path}'"
                        + Flag("--lock-duration", settings, "LockDuration") + Flag("--max-delivery-count", settings, "MaxDeliveryCount")
                        + Flag("--enable-dead-lettering-on-message-expiration", settings, "DeadLetteringOnMessageExpiration")
                        + Flag("--default-message-time-to-live", settings, "DefaultMessageTimeToLive") + Flag("--auto-delete-on-idle", settings, "AutoDeleteOnIdle")
                        + Flag("--forward-dead-lettered-messages-to", settings, "ForwardDeadLetteredMessagesTo"));
                    break;
                case ServiceBusEntityDescription.TopicKind:
                    lines.Add($"az servicebus topic create {target} --name '{entity.Path}'");
                    break;
                default:
                    lines.Add($"az servicebus topic subscription create {target} --topic-name '{entity.TopicPath}' --name '{entity.SubscriptionName}'"
                        + Flag("--forward-to", settings, "ForwardTo") + Flag("--auto-delete-on-idle", settings, "AutoDeleteOnIdle"));
                    break;
            }
        }
        return string.Join('\n', lines) + "\n";

        static string Flag(string flag, IReadOnlyDictionary<string, string> settings, string key) =>
            settings.TryGetValue(key, out var value) && value.Length > 0 ? $" {flag} '{value}'" : "";
    }

    /// <summary>The layout of Microsoft's emulator Config.json (UserConfig.Namespaces[0].Queues / .Topics[].Subscriptions[]).</summary>
    private static string RenderEmulatorConfig(IReadOnlyList<ServiceBusEntityDescription> entities)
    {
        JsonObject Properties(ServiceBusEntityDescription entity)
        {
            var properties = new JsonObject();
            foreach (var (key, value) in entity.Settings)
            {
                properties[key] = value switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ when int.TryParse(value, out var number) => JsonValue.Create(number),
                    _ => JsonValue.Create(value),
                };
            }
            return properties;
        }

        var queues = new JsonArray();
        foreach (var queue in entities.Where(e => e.Kind == ServiceBusEntityDescription.QueueKind))
            queues.Add(new JsonObject { ["Name"] = queue.Path, ["Properties"] = Properties(queue) });
        var topics = new JsonArray();
        foreach (var topic in entities.Where(e => e.Kind == ServiceBusEntityDescription.TopicKind))
        {
            var subscriptions = new JsonArray();
            foreach (var subscription in entities.Where(e => e.Kind == ServiceBusEntityDescription.SubscriptionKind && e.TopicPath == topic.Path))
            {
                subscriptions.Add(new JsonObject
                {
                    ["Name"] = subscription.SubscriptionName, ["Properties"] = Properties(subscription), ["Rules"] = new JsonArray(),
                });
            }
            topics.Add(new JsonObject { ["Name"] = topic.Path, ["Properties"] = new JsonObject(), ["Subscriptions"] = subscriptions });
        }
        var document = new JsonObject
        {
            ["UserConfig"] = new JsonObject
            {
                ["Namespaces"] = new JsonArray { new JsonObject { ["Name"] = "sbemulatorns", ["Queues"] = queues, ["Topics"] = topics } },
                ["Logging"] = new JsonObject { ["Type"] = "File" },
            },
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
