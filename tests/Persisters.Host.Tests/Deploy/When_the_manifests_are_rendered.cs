using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;
using Persisters.Persistence;

namespace Persisters.Tests.Deploy;

/// <summary>Renders the Kubernetes manifests with kubectl's kustomize and checks what a cluster would run.</summary>
public sealed partial class When_the_manifests_are_rendered
{
    [Theory]
    [InlineData("base")]
    [InlineData("overlays/rabbitmq-mysql")]
    [InlineData("overlays/servicebus-mysql")]
    [InlineData("overlays/servicebus-workload-identity-mysql")]
    public async Task Every_overlay_has_probes_a_migrate_step_and_a_non_root_container(string overlay)
    {
        var yaml = await RenderAsync(overlay);

        Assert.Contains("path: /health/live", yaml);
        Assert.Contains("path: /health/ready", yaml);
        Assert.Contains("runAsNonRoot: true", yaml);
        Assert.Matches(@"initContainers:\s+- args:\s+- migrate", yaml);
        Assert.DoesNotContain("Password=", yaml);
        // Readiness answers within milliseconds; a probe that waits 2 s at most, and two failures take the pod out.
        Assert.Matches(@"readinessProbe:\s+failureThreshold: 2\s+httpGet:\s+path: /health/ready\s+port: http\s+periodSeconds: 5\s+timeoutSeconds: 2", yaml);
    }

    [Fact]
    public async Task The_rabbitmq_overlay_gives_the_host_valid_settings_with_secrets_from_files()
    {
        var yaml = await RenderAsync("overlays/rabbitmq-mysql");
        var settings = ConfigMapData().Match(yaml).Groups["data"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(": ", 2))
            .ToDictionary(kv => kv[0].Replace("__", ":"), kv => kv[1]);

        // The secret files the overlay mounts, with stand-in contents.
        var secrets = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(secrets, "rabbitmq-password"), "from-secret");
        File.WriteAllText(Path.Combine(secrets, "mysql-connection-string"), "Server=mysql;Database=persisters");
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.Replace("/run/secrets/persisters", secrets))));
        SecretFiles.Apply(manager);

        var transport = TransportOptions.Read(manager);
        var database = DatabaseSettings.Read(manager);
        Assert.Equal(TransportKind.RabbitMq, transport.Kind);
        Assert.Equal("from-secret", transport.RabbitMq.Password);
        Assert.Equal(DatabaseProvider.MySql, database.Provider);
        Assert.Equal("Server=mysql;Database=persisters", database.ConnectionString);
        Assert.Contains("secretName: persisters-secrets", yaml);
        Assert.Contains("replicas: 2", yaml);
        Assert.Equal(new Uri("http://rabbitmq:15672/"), transport.RabbitMq.EffectiveManagementUrl);
        var persisters = new global::Persisters.Consumers.PersisterOptions();
        manager.GetSection("Persisters").Bind(persisters);
        Assert.Equal(TimeSpan.FromDays(2), persisters.QueueRetention);
        Assert.True(new SettingsValidator<global::Persisters.Consumers.PersisterOptions>("Persisters").Validate(null, persisters).Succeeded);
    }

    [Fact]
    public async Task The_service_bus_overlay_reads_its_connection_string_from_a_secret_file()
    {
        var yaml = await RenderAsync("overlays/servicebus-mysql");
        const string connectionString = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=persisters;SharedAccessKey=c2VjcmV0";
        var manager = Settings(yaml, new Dictionary<string, string>
        {
            ["servicebus-connection-string"] = connectionString,
            ["mysql-connection-string"] = "Server=mysql;Database=persisters",
        });

        var transport = TransportOptions.Read(manager);
        Assert.Equal(TransportKind.AzureServiceBus, transport.Kind);
        Assert.Equal(connectionString, transport.AzureServiceBus.ConnectionString);
        Assert.True(transport.AzureServiceBus.CreateEntities);
        Assert.Equal(DatabaseProvider.MySql, DatabaseSettings.Read(manager).Provider);
        Assert.DoesNotContain("SharedAccessKey=", yaml);
        Assert.Contains("secretName: persisters-secrets", yaml);
    }

    [Fact]
    public async Task The_workload_identity_overlay_uses_the_namespace_a_federated_service_account_and_provisioned_entities()
    {
        var yaml = await RenderAsync("overlays/servicebus-workload-identity-mysql");
        var manager = Settings(yaml, new Dictionary<string, string> { ["mysql-connection-string"] = "Server=mysql;Database=persisters" });

        var transport = TransportOptions.Read(manager);
        Assert.Equal(TransportKind.AzureServiceBus, transport.Kind);
        Assert.Null(transport.AzureServiceBus.ConnectionString);
        Assert.Equal("contoso.servicebus.windows.net", transport.AzureServiceBus.Namespace);
        Assert.False(transport.AzureServiceBus.CreateEntities);
        Assert.Equal("_", transport.AzureServiceBus.NamespaceSeparator);
        Assert.Contains("serviceAccountName: persisters", yaml);
        Assert.Contains("azure.workload.identity/use: \"true\"", yaml);
        Assert.Contains("azure.workload.identity/client-id:", yaml);
        Assert.Matches(@"labels:\s+app\.kubernetes\.io/name: persisters\s+app\.kubernetes\.io/part-of: feature-flags\s+azure\.workload\.identity/use", yaml);
        Assert.DoesNotContain("SharedAccessKey", yaml);
    }

    /// <summary>The overlay's ConfigMap as configuration, with its secret files written with stand-in contents.</summary>
    private static ConfigurationManager Settings(string yaml, IReadOnlyDictionary<string, string> secretFiles)
    {
        var settings = ConfigMapData().Match(yaml).Groups["data"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(": ", 2))
            .ToDictionary(kv => kv[0].Replace("__", ":"), kv => kv[1].Trim('"'));
        var secrets = Directory.CreateTempSubdirectory().FullName;
        foreach (var (name, content) in secretFiles) File.WriteAllText(Path.Combine(secrets, name), content);
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.Replace("/run/secrets/persisters", secrets))));
        SecretFiles.Apply(manager);
        return manager;
    }

    [GeneratedRegex(@"data:\n(?<data>(?:  .+\n)+)kind: ConfigMap")]
    private static partial Regex ConfigMapData();

    private static async Task<string> RenderAsync(string overlay)
    {
        var dir = Path.Combine(RepositoryRoot(), "deploy", "kubernetes", overlay);
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {dir} failed: {error}");
        return output;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Persisters.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Persisters.sln not found above the test directory");
    }
}
