using System.CommandLine;
using System.Net.Sockets;
using Persisters.ServiceBus.Emulator;
using Persisters.ServiceBus.Emulator.Security;

// The Service Bus test emulator: a test peer for the Azure Service Bus transport, never part of the product.
var host = new Option<string>("--host") { Description = "Address to bind (loopback by default).", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "AMQP port; ServiceBusAdministrationClient's HTTP requests to it are served too.", DefaultValueFactory = _ => 5672 };
var managementPort = new Option<int>("--management-port") { Description = "HTTP port of the management API and GET /_emulator/stats.", DefaultValueFactory = _ => 5300 };
var config = new Option<FileInfo?>("--config") { Description = "JSON file of pre-provisioned entities (Microsoft's emulator Config.json layout)." };
var keys = new Option<string[]>("--key")
{
    Description = "Shared access key NAME=KEY[:Manage,Send,Listen] (repeatable; default RootManageSharedAccessKey=SAS_KEY_VALUE with all rights).",
    AllowMultipleArgumentsPerToken = true,
};
var maxMessageSize = new Option<long>("--max-message-size") { Description = "Largest message or batch in bytes (Standard tier: 262144).", DefaultValueFactory = _ => 256 * 1024 };
var namespaceName = new Option<string>("--namespace") { Description = "Namespace name reported by $namespaceinfo.", DefaultValueFactory = _ => "sbemulatorns" };

var root = new RootCommand("Service Bus test emulator: AMQP 1.0 and the HTTP management API as Azure.Messaging.ServiceBus speaks them with UseDevelopmentEmulator=true.")
{
    host, port, managementPort, config, keys, maxMessageSize, namespaceName,
};

root.SetAction(async (parse, ct) =>
{
    var options = new EmulatorOptions
    {
        Host = parse.GetValue(host)!,
        AmqpPort = parse.GetValue(port),
        ManagementPort = parse.GetValue(managementPort),
        ConfigPath = parse.GetValue(config)?.FullName,
        MaxMessageSizeBytes = parse.GetValue(maxMessageSize),
        NamespaceName = parse.GetValue(namespaceName)!,
    };

    string[] keyValues = parse.GetValue(keys) ?? [];
    if (keyValues.Length > 0)
    {
        options.Keys.Clear();
        foreach (string value in keyValues)
        {
            if (ParseKey(value) is not { } key)
            {
                Console.Error.WriteLine($"servicebus-emulator: --key '{value}' is not NAME=KEY[:Manage,Send,Listen]");
                return 2;
            }

            options.Keys.Add(key);
        }
    }

    if (options.MaxMessageSizeBytes < 1024)
    {
        Console.Error.WriteLine($"servicebus-emulator: --max-message-size {options.MaxMessageSizeBytes} is below 1024 bytes");
        return 2;
    }

    EmulatorHost emulator;
    try
    {
        emulator = await EmulatorHost.StartAsync(options, ct);
    }
    catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException or System.Text.Json.JsonException)
    {
        Console.Error.WriteLine($"servicebus-emulator: cannot start: {ex.Message}");
        return 2;
    }

    await using (emulator)
    {
        Console.WriteLine($"servicebus-emulator listening: amqp+http {options.Host}:{emulator.AmqpPort}, management http://{options.Host}:{emulator.ManagementPort}");
        Console.WriteLine($"connection string: {emulator.ConnectionString}");
        if (options.ConfigPath != null)
        {
            Console.WriteLine($"provisioned {emulator.Namespace.Queues.Count} queue(s), {emulator.Namespace.Topics.Count} topic(s) from {options.ConfigPath}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("servicebus-emulator stopping");
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

static SharedAccessKey? ParseKey(string value)
{
    int eq = value.IndexOf('=');
    if (eq <= 0)
    {
        return null;
    }

    string name = value[..eq];
    string rest = value[(eq + 1)..];
    AccessRights rights = AccessRights.All;
    int colon = rest.LastIndexOf(':');
    if (colon >= 0)
    {
        rights = AccessRights.None;
        foreach (string right in rest[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse(right, ignoreCase: true, out AccessRights parsed))
            {
                return null;
            }

            rights |= parsed;
        }

        rest = rest[..colon];
    }

    return rest.Length == 0 || rights == AccessRights.None ? null : new SharedAccessKey(name, rest, rights);
}
