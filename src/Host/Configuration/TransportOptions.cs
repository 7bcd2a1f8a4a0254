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
    public AmazonSqsTransportOptions AmazonSqs { get; set; } = new();
    public AzureServiceBusTransportOptions AzureServiceBus { get; set; } = new();

    /// <summary>Reads and checks the section; throws a <see cref="SettingsException"/> naming the bad setting.</summary>
    public static TransportOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var options = new TransportOptions();
        if (EnumeratedSettings.Read<TransportKind>(configuration, $"{SectionName}:Kind", "a transport") is { } kind) options.Kind = kind;

        switch (options.Kind)
        {
            case TransportKind.RabbitMq:
                options.RabbitMq = RabbitMqTransportOptions.Read(section.GetSection("RabbitMq"));
                break;
            case TransportKind.AmazonSqs:
                options.AmazonSqs = AmazonSqsTransportOptions.Read(section.GetSection("AmazonSqs"));
                break;
            case TransportKind.AzureServiceBus:
                options.AzureServiceBus = AzureServiceBusTransportOptions.Read(section.GetSection("AzureServiceBus"));
                break;
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
    /// <summary>The management HTTP API (queue retention policy); default http://Host:15672/ (https://Host:15671/ with UseSsl).</summary>
    public Uri? ManagementUrl { get; set; }

    public Uri EffectiveManagementUrl => ManagementUrl ?? new Uri(UseSsl ? $"https://{Host}:15671/" : $"http://{Host}:15672/");

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
        if (section["ManagementUrl"] is { Length: > 0 } management)
        {
            if (!Uri.TryCreate(management.EndsWith('/') ? management : management + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new SettingsException($"{section.Path}:ManagementUrl '{management}' is not an http(s) URL.");
            o.ManagementUrl = url;
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

/// <summary>
/// Section <c>Transport:AmazonSqs</c>: Region (required), ServiceUrl (an SQS-compatible server; optional), AccessKey and
/// SecretKey (both or neither; neither = the default AWS credential chain; SecretKeyFile works like every *File setting),
/// QueuePrefix (optional; put in front of every queue name).
/// </summary>
public sealed class AmazonSqsTransportOptions
{
    public string Region { get; set; } = "";
    public Uri? ServiceUrl { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public string QueuePrefix { get; set; } = "";

    public static AmazonSqsTransportOptions Read(IConfigurationSection section)
    {
        var o = new AmazonSqsTransportOptions();

        o.Region = section["Region"] is { Length: > 0 } region
            ? region.Trim()
            : throw new SettingsException(
                $"{section.Path}:Region is required when Transport:Kind is AmazonSqs, e.g. us-east-1 (environment: {Env(section, "Region")}).");
        if (!System.Text.RegularExpressions.Regex.IsMatch(o.Region, "^[a-z]{2}(-[a-z]+)+-[0-9]+$"))
        {
            throw new SettingsException(
                $"{section.Path}:Region '{o.Region}' is not an AWS region name such as us-east-1 (environment: {Env(section, "Region")}).");
        }

        if (section["ServiceUrl"] is { Length: > 0 } serviceUrl)
        {
            if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new SettingsException(
                    $"{section.Path}:ServiceUrl '{serviceUrl}' is not an absolute http(s) URL (environment: {Env(section, "ServiceUrl")}).");
            }
            o.ServiceUrl = url;
        }

        var accessKey = section["AccessKey"] is { Length: > 0 } a ? a : null;
        var secretKey = section["SecretKey"] is { Length: > 0 } k ? k : null;
        if ((accessKey is null) != (secretKey is null))
        {
            var missing = accessKey is null ? "AccessKey" : "SecretKey";
            throw new SettingsException(
                $"{section.Path}:{missing} is required when {section.Path}:{(accessKey is null ? "SecretKey" : "AccessKey")} is set: give both, or neither " +
                $"to use the default AWS credential chain (environment: {Env(section, missing)}" +
                (missing == "SecretKey" ? $", or {Env(section, "SecretKeyFile")})." : ")."));
        }
        o.AccessKey = accessKey;
        o.SecretKey = secretKey;

        if (section["QueuePrefix"] is { Length: > 0 } prefix)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(prefix, "^[A-Za-z0-9_-]{1,40}$"))
            {
                throw new SettingsException(
                    $"{section.Path}:QueuePrefix '{prefix}' may contain only letters, digits, '-' and '_', at most 40 characters " +
                    $"(environment: {Env(section, "QueuePrefix")}).");
            }
            o.QueuePrefix = prefix;
        }
        return o;
    }

    private static string Env(IConfigurationSection section, string key) => $"{section.Path.Replace(":", "__")}__{key}";
}
