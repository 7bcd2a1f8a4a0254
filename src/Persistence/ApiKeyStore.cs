using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Persisters.Persistence.Model;

namespace Persisters.Persistence;

/// <summary>A stored API key as the front door and <c>keys list</c> see it (no secret: only its hash exists).</summary>
public sealed record StoredApiKey(string Id, string Name, string Hash, int Role, IReadOnlyList<string> Environments, long CreatedAt, long? RevokedAt);

/// <summary>Reads and writes table <c>api_key</c>.</summary>
public sealed class ApiKeyStore(IPersistersDbContextFactory factory)
{
    public async Task AddAsync(StoredApiKey key, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        db.ApiKeys.Add(new ApiKeyRow
        {
            Id = key.Id, Name = key.Name, Hash = key.Hash, Role = key.Role,
            Environments = JsonSerializer.Serialize(key.Environments, StoredJson.Options), CreatedAt = key.CreatedAt, RevokedAt = key.RevokedAt,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Every key, revoked ones included, oldest first.</summary>
    public async Task<IReadOnlyList<StoredApiKey>> ListAsync(CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var rows = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(ct);
        return rows.Select(r => new StoredApiKey(r.Id, r.Name, r.Hash, r.Role,
            JsonSerializer.Deserialize<string[]>(r.Environments, StoredJson.Options) ?? [], r.CreatedAt, r.RevokedAt)).ToList();
    }

    /// <summary>Marks the key revoked; false when no key has that id. Revoking twice keeps the first time.</summary>
    public async Task<bool> RevokeAsync(string id, long nowUnix, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var row = await db.ApiKeys.FindAsync([id], ct);
        if (row is null) return false;
        row.RevokedAt ??= nowUnix;
        await db.SaveChangesAsync(ct);
        return true;
    }
}
