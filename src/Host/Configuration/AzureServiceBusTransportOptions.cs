using System.ComponentModel.DataAnnotations;
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

    internal void Normalize()
    {
        ConnectionString = string.IsNullOrWhiteSpace(ConnectionString) ? null : ConnectionString.Trim();
        if (!string.IsNullOrWhiteSpace(Namespace))
        {
            var host = Namespace.Trim();
            if (host.StartsWith("sb://", StringComparison.OrdinalIgnoreCase)) host = host["sb://".Length..];
            Namespace = host.TrimEnd('/');
        }
        else
        {
            Namespace = null;
        }
        Scope = Scope.Trim().Trim('/');
        NamespaceSeparator = NamespaceSeparators.FirstOrDefault(s => s == NamespaceSeparator.Trim()) ?? NamespaceSeparator;
    }

    internal IEnumerable<ValidationResult> Validate()
    {
        if (ConnectionString is null && Namespace is null)
        {
            yield return new(
                $"{Path}:ConnectionString or {Path}:Namespace is required when Transport:Kind is AzureServiceBus: a connection string " +
                $"with a shared access key (environment: {Env("ConnectionString")}, or {Env("ConnectionStringFile")}), or the namespace " +
                $"to reach with DefaultAzureCredential, e.g. contoso.servicebus.windows.net (environment: {Env("Namespace")}).", [nameof(ConnectionString)]);
        }
        else if (ConnectionString is not null && Namespace is not null)
        {
            yield return new($"{Path}:ConnectionString and {Path}:Namespace are both set: give one (environment: {Env("ConnectionString")} or {Env("Namespace")}).",
                [nameof(ConnectionString)]);
        }
        else if (ConnectionString is not null && ConnectionStringProblem(ConnectionString) is { } problem)
        {
            // Never echo the value: it holds a key.
            yield return new(problem, [nameof(ConnectionString)]);
        }
        else if (Namespace is not null && !HostName().IsMatch(Namespace))
        {
            yield return new($"'{Namespace}' is not a fully qualified namespace such as contoso.servicebus.windows.net.", [nameof(Namespace)]);
        }

        if (Scope.Length > 0 && (Scope.Length > 100 || !EntityPath().IsMatch(Scope)))
        {
            yield return new($"'{Scope}' may contain only letters, digits, '.', '-', '_' and '/' between segments (Service Bus's naming rules), at most 100 characters.",
                [nameof(Scope)]);
        }
        if (LockDuration < TimeSpan.FromSeconds(5) || LockDuration > TimeSpan.FromMinutes(5))
        {
            yield return new($"'{LockDuration:c}' is not a duration from 00:00:05 to 00:05:00.", [nameof(LockDuration)]);
        }
        if (NamespaceSeparator.Trim() == "~")
        {
            yield return new($"{Path}:NamespaceSeparator '~' is not allowed: Service Bus refuses '~' in entity names (a segment may contain only letters, digits, '.', '-' and '_'). " +
                $"Use '_' (environment: {Env("NamespaceSeparator")}=_).", [nameof(NamespaceSeparator)]);
        }
        else if (!NamespaceSeparators.Contains(NamespaceSeparator))
        {
            yield return new(EnumeratedSettings.NotOneOf($"{Path}:NamespaceSeparator", NamespaceSeparator, NamespaceSeparators, "a namespace separator"),
                [nameof(NamespaceSeparator)]);
        }
    }

    /// <summary>What is wrong with a connection string, in words that do not echo it; null when it is usable.</summary>
    private static string? ConnectionStringProblem(string connectionString)
    {
        ServiceBusConnectionStringProperties properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(connectionString);
        }
        catch (FormatException)
        {
            return "is not a Service Bus connection string (Endpoint=sb://NAMESPACE/;SharedAccessKeyName=…;SharedAccessKey=…).";
        }
        if (properties.Endpoint is null || string.IsNullOrEmpty(properties.Endpoint.Host)) return "has no Endpoint=sb://NAMESPACE/.";
        if (string.IsNullOrEmpty(properties.SharedAccessSignature)
            && (string.IsNullOrEmpty(properties.SharedAccessKeyName) || string.IsNullOrEmpty(properties.SharedAccessKey)))
        {
            return "has no SharedAccessKeyName and SharedAccessKey (use Namespace for a managed or workload identity).";
        }
        return string.IsNullOrEmpty(properties.EntityPath) ? null : "names an entity (EntityPath); use the namespace's connection string.";
    }

    private const string Path = "Transport:AzureServiceBus";

    private static string Env(string key) => Settings.EnvironmentName($"{Path}:{key}");
}
