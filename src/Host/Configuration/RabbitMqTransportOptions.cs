using System.ComponentModel.DataAnnotations;

namespace Persisters.Host.Configuration;

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
