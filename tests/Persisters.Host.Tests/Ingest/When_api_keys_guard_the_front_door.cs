using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

public sealed class When_api_keys_guard_the_front_door
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private static string Body => $"{{\"goalEvents\":[{{\"id\":\"g\",\"timestamp\":{Now},\"goalId\":\"goal\",\"userId\":\"u\"}}]}}";

    [Fact]
    public async Task No_key_is_401_an_unknown_or_altered_key_403_and_a_valid_one_bare_or_bearer_passes()
    {
        await using var server = await IngestServer.StartAsync();
        var key = await server.CreateKeyAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostAsync(EventsEndpoint.Path, Body, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.PostAsync(EventsEndpoint.Path, Body, "pk_000000000000_abc")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.PostAsync(EventsEndpoint.Path, Body, key[..^1] + (key[^1] == 'A' ? 'B' : 'A'))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.PostAsync(EventsEndpoint.Path, Body, "not a key at all")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, Body, key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, Body, "Bearer " + key)).StatusCode);
    }

    [Fact]
    public async Task Health_and_metrics_stay_open()
    {
        await using var server = await IngestServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_within_one_refresh_interval()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?> { ["Persisters:DefinitionsRefreshInterval"] = "00:00:01" });
        var key = await server.CreateKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, Body, key)).StatusCode);
        Assert.True(await server.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(ApiKeys.IdOf(key)!, Now, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.PostAsync(EventsEndpoint.Path, Body, key)).StatusCode);
    }

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        await using var server = await IngestServer.StartAsync();
        var key = await server.CreateKeyAsync();
        var stored = Assert.Single(await server.Services.GetRequiredService<ApiKeyStore>().ListAsync(CancellationToken.None));
        Assert.Equal(ApiKeys.Hash(key), stored.Hash);
        Assert.DoesNotContain(key[(ApiKeys.Prefix.Length + 13)..], stored.Hash + stored.Id + stored.Name);
        Assert.Equal(64, stored.Hash.Length);
    }

    [Fact]
    public async Task A_key_over_its_rate_is_answered_429_while_another_key_is_not()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Ingest:RequestsPerSecondPerKey"] = "1", ["Ingest:BurstPerKey"] = "2",
        });
        var (busy, other) = (await server.CreateKeyAsync(), await server.CreateKeyAsync());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) statuses.Add((await server.PostAsync(EventsEndpoint.Path, Body, busy)).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, Body, other)).StatusCode);
    }

    [Fact]
    public async Task The_keys_verbs_create_list_and_revoke_and_the_key_is_printed_only_by_create()
    {
        var directory = Directory.CreateTempSubdirectory("persisters-keys-").FullName;
        var env = new Dictionary<string, string?> { ["Database__ConnectionString"] = $"Data Source={Path.Combine(directory, "keys.db")}" };
        var (created, output) = await HostCommand.RunAsync(env, "keys", "create", "--name", "gateway", "--environment", "prod");
        Assert.Equal(0, created);
        var key = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        var id = ApiKeys.IdOf(key)!;
        var (listed, list) = await HostCommand.RunAsync(env, "keys", "list");
        Assert.Equal(0, listed);
        Assert.Contains(id, list);
        Assert.Contains("gateway", list);
        Assert.DoesNotContain(key, list);
        Assert.Equal(0, (await HostCommand.RunAsync(env, "keys", "revoke", "--id", id)).ExitCode);
        Assert.Equal(1, (await HostCommand.RunAsync(env, "keys", "revoke", "--id", "nope")).ExitCode);
        Assert.Equal(2, (await HostCommand.RunAsync(env, "keys", "create", "--name", "x")).ExitCode); // an ingest key needs an environment
        Assert.Equal(2, (await HostCommand.RunAsync(env, "keys", "create", "--name", "x", "--role", "root", "--environment", "e")).ExitCode);
    }

    [Theory]
    [InlineData("Ingest__MaxEventsPerRequest", "0", "Ingest:MaxEventsPerRequest")]
    [InlineData("Ingest__PublishTimeout", "00:00:00", "Ingest:PublishTimeout")]
    [InlineData("Ingest__MaxJsonDepth", "1000", "Ingest:MaxJsonDepth")]
    public async Task A_bad_ingest_setting_stops_the_service_naming_it(string variable, string value, string named)
    {
        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { [variable] = value }, "run");
        Assert.Equal(2, exit);
        Assert.Contains(named, output);
    }
}
