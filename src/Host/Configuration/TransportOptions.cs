using Microsoft.Extensions.Configuration;

namespace Persisters.Host.Configuration;

public enum TransportKind
{
    InMemory,
    RabbitMq,
    AmazonSqs,
    AzureServiceBus,
}

/// <summary>Configuration section <c>Transport</c>: which broker, and its settings.</summary>
public sealed class TransportOptions
{
    public const string SectionName = "Transport";

    public TransportKind Kind { get; set; } = TransportKind.InMemory;
    public RabbitMqTransportOptions RabbitMq { get; set; } = new();

    /// <summary>Reads and checks the section; throws a <see cref="SettingsException"/> naming the bad setting.</summary>
    public static TransportOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var kindText = section["Kind"];
        var options = new TransportOptions();
        if (!string.IsNullOrWhiteSpace(kindText))
        {
            if (!Enum.TryParse<TransportKind>(kindText, ignoreCase: true, out var kind) || int.TryParse(kindText, out _))
            {
                throw new SettingsException(
                    $"Transport:Kind '{kindText}' is not a transport. Use one of: {string.Join(", ", Enum.GetNames<TransportKind>())}.");
            }
            options.Kind = kind;
        }

        switch (options.Kind)
        {
            case TransportKind.RabbitMq:
                options.RabbitMq = RabbitMqTransportOptions.Read(section.GetSection("RabbitMq"));
                break;
            case TransportKind.AmazonSqs:
            case TransportKind.AzureServiceBus:
                throw new SettingsException(
                    $"Transport:Kind '{options.Kind}' is not available in this build yet. Use InMemory or RabbitMq.");
        }
        return options;
    }
}

public sealed class RabbitMqTransportOptions
{
    public string Host { get; set; } = "";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public bool UseSsl { get; set; }

    public static RabbitMqTransportOptions Read(IConfigurationSection section)
    {
        var o = new RabbitMqTransportOptions
        {
            Host = Required(section, "Host"),
            Username = Required(section, "Username"),
            Password = Required(section, "Password"),
            VirtualHost = section["VirtualHost"] is { Length: > 0 } vh ? vh : "/",
        };
        if (section["Port"] is { Length: > 0 } port)
        {
            if (!ushort.TryParse(port, out var p) || p == 0)
            {
                throw new SettingsException($"{section.Path}:Port '{port}' is not a port number (1-65535).");
            }
            o.Port = p;
        }
        if (section["UseSsl"] is { Length: > 0 } ssl)
        {
            if (!bool.TryParse(ssl, out var useSsl)) throw new SettingsException($"{section.Path}:UseSsl '{ssl}' is not true or false.");
            o.UseSsl = useSsl;
        }
        return o;
    }

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value
            ? value
            : throw new SettingsException(
                $"{section.Path}:{key} is required when Transport:Kind is RabbitMq (environment: {section.Path.Replace(":", "__")}__{key}" +
                (key == "Password" ? $", or {section.Path.Replace(":", "__")}__PasswordFile)." : ")."));
}
