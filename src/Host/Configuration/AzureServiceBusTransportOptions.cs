using System.Text.RegularExpressions;
using Azure.Messaging.ServiceBus;

namespace Persisters.Host.Configuration;

/// <summary>
/// Section <c>Transport:AzureServiceBus</c>: ConnectionString (a shared access key; ConnectionStringFile works like every
/// *File setting) or Namespace (e.g. <c>contoso.servicebus.windows.net</c>, signed in with DefaultAzureCredential: workload
/// identity, managed identity, environment, Azure CLI), exactly one of the two; Scope (optional: a path that isolates
/// this deployment's queues, topics and subscriptions in a shared namespace); CreateEntities (default true; false when the
/// credentials have no Manage right and the entities are provisioned by the deployment); LockDuration (default 30 s, 5 s
/// to 5 min: the peek-lock of the queues the host creates, renewed while a message is consumed, so it only bounds how long a
/// crashed host's messages wait before another host gets them); NamespaceSeparator (default '/', or '_', '.': what
/// separates namespace and type name in topic names; Azure Resource Manager cannot create names containing '/'). Names
/// follow Service Bus's data-plane rules: segments of letters, digits, '.', '-' and '_' ('~' is refused by the service).
/// </summary>
public sealed partial class AzureServiceBusTransportOptions
{
    public string? ConnectionString { get; set; }
    public string? Namespace { get; set; }
    public string Scope { get; set; } = "";
    public bool CreateEntities { get; set; } = true;
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(30);
    public string NamespaceSeparator { get; set; } = "/";

    /// <summary>The separators <see cref="NamespaceSeparator"/> takes.</summary>
    public static readonly string[] NamespaceSeparators = ["/", "_", "."];

    /// <summary>The namespace address the transport is given: <c>sb://HOST[:PORT]/SCOPE</c> (the port only for an emulator).</summary>
    public Uri HostAddress
    {
        get
        {
            var authority = Namespace;
            if (ConnectionString is not null)
            {
                var endpoint = ServiceBusConnectionStringProperties.Parse(ConnectionString).Endpoint;
                authority = endpoint.Host + (endpoint.IsDefaultPort || endpoint.Port <= 0 ? "" : ":" + endpoint.Port);
            }
            return new Uri($"sb://{authority}/{Scope}");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")]
    private static partial Regex EntityPath();

    public static AzureServiceBusTransportOptions Read(IConfigurationSection section)
    {
        var o = new AzureServiceBusTransportOptions();
        var connectionString = section["ConnectionString"] is { Length: > 0 } cs ? cs.Trim() : null;
        var ns = section["Namespace"] is { Length: > 0 } n ? n.Trim() : null;
        if (connectionString is null && ns is null)
        {
            throw new SettingsException(
                $"{section.Path}:ConnectionString or {section.Path}:Namespace is required when Transport:Kind is AzureServiceBus: a connection string " +
                $"with a shared access key (environment: {Env(section, "ConnectionString")}, or {Env(section, "ConnectionStringFile")}), or the namespace " +
                $"to reach with DefaultAzureCredential, e.g. contoso.servicebus.windows.net (environment: {Env(section, "Namespace")}).");
        }
        if (connectionString is not null && ns is not null)
        {
            throw new SettingsException(
                $"{section.Path}:ConnectionString and {section.Path}:Namespace are both set: give one (environment: {Env(section, "ConnectionString")} " +
                $"or {Env(section, "Namespace")}).");
        }

        if (connectionString is not null)
        {
            // Never echo the value: it holds a key.
            ServiceBusConnectionStringProperties properties;
            try
            {
                properties = ServiceBusConnectionStringProperties.Parse(connectionString);
            }
            catch (FormatException)
            {
                throw new SettingsException(
                    $"{section.Path}:ConnectionString is not a Service Bus connection string (Endpoint=sb://NAMESPACE/;SharedAccessKeyName=…;SharedAccessKey=…) " +
                    $"(environment: {Env(section, "ConnectionString")}).");
            }
            string? problem = null;
            if (properties.Endpoint is null || string.IsNullOrEmpty(properties.Endpoint.Host))
                problem = "has no Endpoint=sb://NAMESPACE/";
            else if (string.IsNullOrEmpty(properties.SharedAccessSignature)
                && (string.IsNullOrEmpty(properties.SharedAccessKeyName) || string.IsNullOrEmpty(properties.SharedAccessKey)))
                problem = "has no SharedAccessKeyName and SharedAccessKey (use Namespace for a managed or workload identity)";
            else if (!string.IsNullOrEmpty(properties.EntityPath))
                problem = "names an entity (EntityPath); use the namespace's connection string";
            if (problem is not null)
                throw new SettingsException($"{section.Path}:ConnectionString {problem} (environment: {Env(section, "ConnectionString")}).");
            o.ConnectionString = connectionString;
        }
        else
        {
            var host = ns!;
            if (host.StartsWith("sb://", StringComparison.OrdinalIgnoreCase))
                host = host["sb://".Length..];
            host = host.TrimEnd('/');
            if (!HostName().IsMatch(host))
            {
                throw new SettingsException(
                    $"{section.Path}:Namespace '{ns}' is not a fully qualified namespace such as contoso.servicebus.windows.net (environment: {Env(section, "Namespace")}).");
            }
            o.Namespace = host;
        }

        if (section["Scope"] is { Length: > 0 } scope)
        {
            scope = scope.Trim().Trim('/');
            if (scope.Length > 100 || !EntityPath().IsMatch(scope))
            {
                throw new SettingsException(
                    $"{section.Path}:Scope '{scope}' may contain only letters, digits, '.', '-', '_' and '/' between segments (Service Bus's naming rules), at most 100 characters " +
                    $"(environment: {Env(section, "Scope")}).");
            }
            o.Scope = scope;
        }

        if (section["LockDuration"] is { Length: > 0 } lockText)
        {
            if (!TimeSpan.TryParse(lockText, System.Globalization.CultureInfo.InvariantCulture, out var lockDuration)
                || lockDuration < TimeSpan.FromSeconds(5) || lockDuration > TimeSpan.FromMinutes(5))
            {
                throw new SettingsException(
                    $"{section.Path}:LockDuration '{lockText}' is not a duration from 00:00:05 to 00:05:00 (environment: {Env(section, "LockDuration")}).");
            }
            o.LockDuration = lockDuration;
        }

        if (section["NamespaceSeparator"] is { Length: > 0 } separator)
        {
            var path = $"{section.Path}:NamespaceSeparator";
            if (separator.Trim() == "~")
            {
                throw new SettingsException(
                    $"{path} '~' is not allowed: Service Bus refuses '~' in entity names (a segment may contain only letters, digits, '.', '-' and '_'). " +
                    $"Use '_' (environment: {Env(section, "NamespaceSeparator")}=_).");
            }
            o.NamespaceSeparator = EnumeratedSettings.Name(path, separator, NamespaceSeparators, "a namespace separator");
        }

        if (section["CreateEntities"] is { Length: > 0 } create)
        {
            o.CreateEntities = bool.Parse(EnumeratedSettings.Name($"{section.Path}:CreateEntities", create, ["true", "false"], "true or false"));
        }
        return o;
    }

    private static string Env(IConfigurationSection section, string key) => $"{section.Path.Replace(":", "__")}__{key}";
}
