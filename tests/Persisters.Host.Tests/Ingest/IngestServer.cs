using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.Definitions;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Hosting;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Tests.Ingest;

/// <summary>
/// The service exactly as <c>persisters run</c> composes it (<see cref="ServiceCommand.Compose"/>: persisters, bus, health, the
/// front door) on the embedded default (in-memory transport, its own SQLite file), served by ASP.NET Core's in-memory TestServer.
/// Persister endpoints are always connected and definitions never cached, so a posted event becomes a row within one batch window.
/// </summary>
public sealed class IngestServer : IAsyncDisposable
{
    private readonly string _directory;

    private IngestServer(WebApplication app, string directory, Uri? address)
    {
        App = app;
        _directory = directory;
        Address = address;
        Client = address is null ? app.GetTestClient() : new HttpClient { BaseAddress = address };
    }

    /// <summary>The real listening address when started with Kestrel (for clients outside the process), else null.</summary>
    public Uri? Address { get; }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => App.Services;

    /// <param name="kestrel">Listen on a free loopback port (for a Node or browser client) instead of the in-memory TestServer.</param>
    public static async Task<IngestServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false)
    {
        var directory = Directory.CreateTempSubdirectory("persisters-ingest-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        Uri? address = null;
        if (kestrel)
        {
            address = new Uri($"http://127.0.0.1:{CapturedProcess.FreePort()}");
            builder.WebHost.UseUrls(address.ToString());
        }
        else
        {
            builder.WebHost.UseTestServer();
        }
        var values = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(directory, "test.db")}",
            ["Persisters:OnDemand"] = "false",
            ["Persisters:DefinitionsRefreshInterval"] = "00:00:00",
            ["Persisters:Batch:TimeLimit"] = "00:00:00.050",
            ["Calculator:Enabled"] = "false",
            // Quartz keeps schedulers in a process-wide repository by name: with the default name every host of the test process
            // would get the first live host's scheduler (its store, its bus). One name per host, as one process per service has.
            ["Scheduler:InstanceName"] = "persisters-" + Guid.NewGuid().ToString("N")[..8],
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        builder.Configuration.AddInMemoryCollection(values);
        var app = ServiceCommand.Compose(builder, out _);
        await app.Services.MigrateIfConfiguredAsync(CancellationToken.None);
        await app.StartAsync();
        return new IngestServer(app, directory, address);
    }

    /// <summary>A new key in the service's database; the service sees it at once (refresh interval 0).</summary>
    public async Task<string> CreateKeyAsync(ApiKeyRole role = ApiKeyRole.Ingest, params string[] environments)
    {
        var (key, stored) = ApiKeys.Create("test", role, environments.Length == 0 && role == ApiKeyRole.Ingest ? [Support.Events.Env] : environments,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await Services.GetRequiredService<ApiKeyStore>().AddAsync(stored, CancellationToken.None);
        return key;
    }

    public async Task SeedAsync(ExperimentDefinition experiment)
    {
        await Services.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), CancellationToken.None);
        Services.GetRequiredService<LiveDefinitions>().Invalidate();
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, string? key, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", key);
        return Client.SendAsync(request);
    }

    /// <summary>Evaluation event ids stored, waiting up to 30 s for <paramref name="expected"/> of them (returns what is there then).</summary>
    public async Task<List<string>> EvaluationIdsAsync(int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var db = Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var ids = await db.EvaluationEvents.AsNoTracking().Select(e => e.Id).OrderBy(i => i).ToListAsync();
            if (ids.Count >= expected || DateTime.UtcNow > deadline) return ids;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
