using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.Cli;

/// <summary>
/// The real service for the CLI tests, shared by a test class (an xunit class fixture): the built <c>persisters</c> executable running
/// (<c>persisters run</c>) on the embedded default (in-memory transport, its own SQLite file, a free port on 127.0.0.1), with an admin key
/// made by <c>persisters keys create --role admin</c> before it starts. <see cref="GetAsync"/> / <see cref="SendAsync"/> ask its operator
/// API directly, to compare the CLI's lines with what the API itself answers.
/// </summary>
public sealed class RunningService : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("persisters-cli-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private HostCommand _host = null!;

    private string Database => $"Data Source={Path.Combine(_directory, "persisters.db")}";

    /// <summary>The admin key (<c>pk_…</c>) printed by <c>keys create</c>.</summary>
    public string AdminKey { get; private set; } = "";

    public Uri Url => new($"http://127.0.0.1:{_host.Port}/");

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Database__ConnectionString"] = Database };
        var (created, output) = await HostCommand.RunAsync(settings, "keys", "create", "--name", "cli-tests", "--role", "admin");
        Assert.True(created == 0, output);
        AdminKey = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        _host = HostCommand.Start(settings, "run");
        await _host.WaitUntilReadyAsync();
    }

    /// <summary>The environment that points the <c>persisters</c> executable at this service with <paramref name="apiKey"/> (null: none).</summary>
    public Dictionary<string, string?> Environment(string? apiKey) => new()
    {
        ["PERSISTERS_URL"] = Url.ToString(),
        ["PERSISTERS_API_KEY"] = apiKey,
    };

    /// <summary><c>GET</c> <paramref name="path"/> with the admin key; the JSON answer (it must be 200).</summary>
    public async Task<JsonNode> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Url, path));
        request.Headers.Authorization = new("Bearer", AdminKey);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> (with <paramref name="json"/> as the body, if any) with
    /// <paramref name="apiKey"/> (null: the admin key); the status and the JSON answer, if any.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Answer)> SendAsync(HttpMethod method, string path, string? json = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Url, path));
        request.Headers.Authorization = new("Bearer", apiKey ?? AdminKey);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body));
    }

    /// <summary>Writes <paramref name="row"/> to the service's database (what the kill switch writes when a rule triggers).</summary>
    public async Task AddAsync(AutoOpsRuleRow row)
    {
        await using var services = new ServiceCollection()
            .AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = Database }).BuildServiceProvider();
        await using var db = services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        db.AutoOpsRules.Add(row);
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
