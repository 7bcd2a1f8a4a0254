using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Persisters.Consumers;
using Persisters.Persistence;

namespace Persisters.Host.Ingest;

/// <summary>
/// API keys: <c>pk_</c> + a 12-hex-digit public id + <c>_</c> + 32 random bytes (256 bits, base64url). Only the SHA-256 of the whole
/// key is stored (a key of 256 random bits needs no slow hash: nothing can be guessed from its hash); the key is shown once.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "pk_";

    /// <summary>A new key and what is stored of it.</summary>
    public static (string Key, StoredApiKey Stored) Create(string name, ApiKeyRole role, IReadOnlyList<string> environments, long nowUnix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = $"{Prefix}{id}_{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";
        return (key, new StoredApiKey(id, name, Hash(key), (int)role, environments, nowUnix, null));
    }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The public id inside a presented key, or null when it does not have the key's shape.</summary>
    public static string? IdOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 128) return null;
        var end = key.IndexOf('_', Prefix.Length);
        return end == Prefix.Length + 12 ? key[Prefix.Length..end] : null;
    }

    /// <summary>The names of the roles as the CLI and the docs write them.</summary>
    public static string Label(this ApiKeyRole role) => role == ApiKeyRole.Admin ? "admin" : "ingest";
}

/// <summary>
/// Checks presented keys against an in-memory copy of table <c>api_key</c>, read again when older than
/// <c>Persisters:DefinitionsRefreshInterval</c> (so a revoked key is refused within one interval). The comparison of hashes is
/// constant-time; neither the key nor its hash is ever logged (only the public id).
/// </summary>
public sealed class ApiKeyVerifier(ApiKeyStore store, IOptions<PersisterOptions> options, TimeProvider clock, ILogger<ApiKeyVerifier> logger)
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(Dictionary<string, StoredApiKey> Keys, DateTimeOffset ReadAt);

    /// <summary>The caller of a valid, unrevoked key; null for any other string.</summary>
    public async ValueTask<ApiCaller?> VerifyAsync(string presented, CancellationToken ct)
    {
        var keys = await CurrentAsync(ct);
        var id = ApiKeys.IdOf(presented);
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (id is null || !keys.TryGetValue(id, out var stored) || stored.RevokedAt is not null) return null;
        var storedHash = Convert.FromHexString(stored.Hash);
        if (!CryptographicOperations.FixedTimeEquals(presentedHash, storedHash)) return null;
        return new ApiCaller(stored.Id, (ApiKeyRole)stored.Role, stored.Environments);
    }

    private async ValueTask<Dictionary<string, StoredApiKey>> CurrentAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        var interval = options.Value.DefinitionsRefreshInterval;
        if (snapshot is not null && clock.GetUtcNow() - snapshot.ReadAt < interval) return snapshot.Keys;
        await _refresh.WaitAsync(ct);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && clock.GetUtcNow() - snapshot.ReadAt < interval) return snapshot.Keys;
            var readAt = clock.GetUtcNow();
            try
            {
                var keys = await store.ListAsync(ct);
                _snapshot = snapshot = new Snapshot(keys.ToDictionary(k => k.Id, StringComparer.Ordinal), readAt);
            }
            catch (Exception ex) when (snapshot is not null && ex is not OperationCanceledException)
            {
                // The database is unavailable: keep the last copy (a revocation cannot be written meanwhile either).
                logger.LogWarning(ex, "API keys could not be read again; the copy read at {ReadAt:o} stays in use", snapshot.ReadAt);
            }
            return snapshot.Keys;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
