using System.CommandLine;
using Persisters.Host.Hosting;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Cli;

/// <summary>
/// <c>persisters keys create|list|revoke</c>: API keys of the HTTP front door, in table <c>api_key</c> of the configured database
/// (no broker needed; on SQLite the schema is created first, as the service does). <c>create</c> prints the new key once on
/// standard output (and what it may do on standard error), so <c>KEY=$(persisters keys create …)</c> keeps it; only its SHA-256
/// is stored. A running service sees a new or revoked key within <c>Persisters:DefinitionsRefreshInterval</c>.
/// Exit codes: 0 done, 1 no such key (revoke), 2 a bad option or setting.
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var verb = new Command("keys", "Create, list and revoke API keys of the HTTP ingestion endpoints (stored as hashes in the database).");

        var name = new Option<string>("--name") { Description = "What the key is for (shown by list).", Required = true }.Id(Persistence.PersistersDbContext.IdLength);
        var role = new Option<string>("--role") { Description = "ingest (post events for its environments) or admin (also the operator API).", DefaultValueFactory = _ => "ingest" };
        role.AcceptOnlyFromAmong("ingest", "admin");
        var environments = new Option<string[]>("--environment")
        {
            Description = "Environment id the key may post events for (repeat for several; an ingest key needs one, /register_events needs exactly one).",
            AllowMultipleArgumentsPerToken = false,
        };
        environments.Validators.Add(r =>
        {
            foreach (var e in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (string.IsNullOrWhiteSpace(e) || e.EnumerateRunes().Count() > Persistence.PersistersDbContext.EnvironmentIdLength)
                    r.AddError($"--environment must be 1 to {Persistence.PersistersDbContext.EnvironmentIdLength} characters, not '{e}'.");
            }
        });
        var create = HostArguments.AllowOn(new Command("create", "Create a key and print it once.") { name, role, environments });
        create.Validators.Add(r =>
        {
            string? chosen;
            try
            {
                chosen = r.GetValue(role);
            }
            catch (InvalidOperationException)
            {
                return; // not ingest or admin: that error is reported already
            }
            if (chosen != "admin" && (r.GetValue(environments) ?? []).Length == 0)
                r.AddError("An ingest key needs at least one --environment.");
        });
        create.SetAction((p, ct) => PersistersCommandLine.Guard(() => CreateAsync(HostArguments.Of(p), p.GetValue(name)!,
            p.GetValue(role) == "admin" ? ApiKeyRole.Admin : ApiKeyRole.Ingest, [.. (p.GetValue(environments) ?? []).Distinct()], ct)));
        verb.Subcommands.Add(create);

        var list = HostArguments.AllowOn(new Command("list", "List the keys (ids, names, roles, environments; never a key)."));
        list.SetAction((p, ct) => PersistersCommandLine.Guard(() => ListAsync(HostArguments.Of(p), ct)));
        verb.Subcommands.Add(list);

        var id = new Option<string>("--id") { Description = "The key's id (from create or list).", Required = true };
        var revoke = HostArguments.AllowOn(new Command("revoke", "Revoke a key; a running service refuses it within Persisters:DefinitionsRefreshInterval.") { id });
        revoke.SetAction((p, ct) => PersistersCommandLine.Guard(() => RevokeAsync(HostArguments.Of(p), p.GetValue(id)!, ct)));
        verb.Subcommands.Add(revoke);
        return verb;
    }

    private static Task<int> CreateAsync(string[] hostArgs, string name, ApiKeyRole role, IReadOnlyList<string> environments, CancellationToken ct) =>
        WithStoreAsync(hostArgs, async store =>
        {
            var (key, stored) = ApiKeys.Create(name, role, environments, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            await store.AddAsync(stored, ct);
            Console.WriteLine(key);
            await Console.Error.WriteLineAsync($"Created key {stored.Id} ({role.Label()}, environments: {Environments(stored.Environments)}). " +
                                               "Keep it now: it is not shown again (only its hash is stored).");
            return PersistersCommandLine.Done;
        }, ct);

    private static Task<int> ListAsync(string[] hostArgs, CancellationToken ct) =>
        WithStoreAsync(hostArgs, async store =>
        {
            var keys = await store.ListAsync(ct);
            Console.WriteLine($"{"id",-12}  {"role",-6}  {"created",-20}  {"revoked",-20}  {"environments",-24}  name");
            foreach (var k in keys)
            {
                Console.WriteLine($"{k.Id,-12}  {((ApiKeyRole)k.Role).Label(),-6}  {Time(k.CreatedAt),-20}  {(k.RevokedAt is { } r ? Time(r) : "-"),-20}  " +
                                  $"{Environments(k.Environments),-24}  {k.Name}");
            }
            Console.WriteLine($"{keys.Count} key(s)");
            return PersistersCommandLine.Done;
        }, ct);

    private static Task<int> RevokeAsync(string[] hostArgs, string id, CancellationToken ct) =>
        WithStoreAsync(hostArgs, async store =>
        {
            if (await store.RevokeAsync(id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ct))
            {
                Console.WriteLine($"revoked: key {id}");
                return PersistersCommandLine.Done;
            }
            Console.WriteLine($"rejected: no key has id '{id}'");
            return PersistersCommandLine.Rejected;
        }, ct);

    private static async Task<int> WithStoreAsync(string[] hostArgs, Func<ApiKeyStore, Task<int>> action, CancellationToken ct)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await host.Services.MigrateIfConfiguredAsync(ct);
        return await action(host.Services.GetRequiredService<ApiKeyStore>());
    }

    private static string Environments(IReadOnlyList<string> environments) => environments.Count == 0 ? "(any)" : string.Join(",", environments);

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
