namespace Persisters.Persistence.Model;

/// <summary>
/// An API key of the HTTP front door (table <c>api_key</c>). Only the SHA-256 of the secret is kept; the key itself is printed
/// once by <c>persisters keys create</c>.
/// </summary>
public sealed class ApiKeyRow
{
    /// <summary>The key's public id (the part of the key before its secret), shown by <c>keys list</c> and in logs.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>SHA-256 of the whole key's UTF-8 bytes, lower-case hex (64 characters).</summary>
    public string Hash { get; set; } = "";
    /// <summary>1 ingest, 2 admin.</summary>
    public int Role { get; set; }
    /// <summary>JSON array of environment ids the key may post events for.</summary>
    public string Environments { get; set; } = "[]";
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds of the revocation, or null while the key is valid.</summary>
    public long? RevokedAt { get; set; }
}
