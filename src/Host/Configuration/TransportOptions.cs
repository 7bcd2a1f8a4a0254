using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Persisters.Host.Configuration;

[Description("a transport")]
public enum TransportKind
{
    InMemory,
    RabbitMq,
    AmazonSqs,
    AzureServiceBus,
}

/// <summary>Configuration section <c>Transport</c>: which broker, and its settings (only the chosen broker's part is checked).</summary>
public sealed class TransportOptions : IValidatableObject
{
    public const string SectionName = "Transport";

    public TransportKind Kind { get; set; } = TransportKind.InMemory;
    public RabbitMqTransportOptions RabbitMq { get; set; } = new();
    public AmazonSqsTransportOptions AmazonSqs { get; set; } = new();
    public AzureServiceBusTransportOptions AzureServiceBus { get; set; } = new();

    /// <summary>Reads and checks the section (<see cref="Settings.Read{T}"/>).</summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static TransportOptions Read(IConfiguration configuration) =>
        Settings.Read<TransportOptions>(configuration, SectionName, (o, _) =>
        {
            o.AmazonSqs.Normalize();
            o.AzureServiceBus.Normalize();
            o.RabbitMq.Normalize();
        });

    /// <summary>The chosen broker's part, named under <c>Transport:KIND</c>.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        IEnumerable<ValidationResult> part = Kind switch
        {
            TransportKind.RabbitMq => RabbitMq.Validate(),
            TransportKind.AmazonSqs => AmazonSqs.Validate(),
            TransportKind.AzureServiceBus => AzureServiceBus.Validate(),
            _ => [],
        };
        return part.Select(r => new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{Kind}:{m}")));
    }
}

/// <summary>
/// Section <c>Transport:RabbitMq</c>: Host, Username and Password (required; PasswordFile works like every *File setting), Port,
/// VirtualHost, UseSsl, ManagementUrl.
/// </summary>
public sealed class RabbitMqTransportOptions
{
    private const string Path = "Transport:RabbitMq";

    public string Host { get; set; } = "";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public bool UseSsl { get; set; }
    /// <summary>The management HTTP API (queue retention policy); default http://Host:15672/ (https://Host:15671/ with UseSsl).</summary>
    public Uri? ManagementUrl { get; set; }

    public Uri EffectiveManagementUrl => ManagementUrl ?? new Uri(UseSsl ? $"https://{Host}:15671/" : $"http://{Host}:15672/");

    internal void Normalize()
    {
        if (ManagementUrl is { IsAbsoluteUri: true } url && !url.OriginalString.EndsWith('/')) ManagementUrl = new Uri(url.OriginalString + "/");
    }

    internal IEnumerable<ValidationResult> Validate()
    {
        foreach (var (key, value) in new[] { ("Host", Host), ("Username", Username), ("Password", Password) })
        {
            if (string.IsNullOrEmpty(value))
            {
                yield return new($"{Path}:{key} is required when Transport:Kind is RabbitMq (environment: {Settings.EnvironmentName($"{Path}:{key}")}" +
                    (key == "Password" ? $", or {Settings.EnvironmentName(Path)}__PasswordFile)." : ")."), [key]);
            }
        }
        if (Port == 0) yield return new($"'{Port}' is not a port number (1-65535).", [nameof(Port)]);
        if (ManagementUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return new($"'{url.OriginalString}' is not an http(s) URL.", [nameof(ManagementUrl)]);
        }
    }
}

/// <summary>
/// Section <c>Transport:AmazonSqs</c>: Region (required), ServiceUrl (an SQS-compatible server; optional), AccessKey and
/// SecretKey (both or neither; neither = the default AWS credential chain; SecretKeyFile works like every *File setting),
/// QueuePrefix (optional; put in front of every queue name).
/// </summary>
public sealed partial class AmazonSqsTransportOptions
{
    private const string Path = "Transport:AmazonSqs";

    public string Region { get; set; } = "";
    public Uri? ServiceUrl { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public string QueuePrefix { get; set; } = "";

    internal void Normalize()
    {
        Region = Region.Trim();
        if (string.IsNullOrEmpty(AccessKey)) AccessKey = null;
        if (string.IsNullOrEmpty(SecretKey)) SecretKey = null;
    }

    internal IEnumerable<ValidationResult> Validate()
    {
        if (Region.Length == 0)
        {
            yield return new($"{Path}:Region is required when Transport:Kind is AmazonSqs, e.g. us-east-1 (environment: {Env("Region")}).", [nameof(Region)]);
        }
        else if (!RegionName().IsMatch(Region))
        {
            yield return new($"'{Region}' is not an AWS region name such as us-east-1.", [nameof(Region)]);
        }
        if (ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new($"'{url.OriginalString}' is not an absolute http(s) URL.", [nameof(ServiceUrl)]);
        }
        if ((AccessKey is null) != (SecretKey is null))
        {
            var missing = AccessKey is null ? "AccessKey" : "SecretKey";
            yield return new($"{Path}:{missing} is required when {Path}:{(AccessKey is null ? "SecretKey" : "AccessKey")} is set: give both, or neither " +
                $"to use the default AWS credential chain (environment: {Env(missing)}" + (missing == "SecretKey" ? $", or {Env("SecretKeyFile")})." : ")."), [missing]);
        }
        if (QueuePrefix.Length > 0 && !Prefix().IsMatch(QueuePrefix))
        {
            yield return new($"'{QueuePrefix}' may contain only letters, digits, '-' and '_', at most 40 characters.", [nameof(QueuePrefix)]);
        }
    }

    private static string Env(string key) => Settings.EnvironmentName($"{Path}:{key}");

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex Prefix();
}
