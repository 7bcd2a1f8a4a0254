namespace Persisters.Host.Ingest;

/// <summary>What an API key may do: <c>ingest</c> posts events for its environments; <c>admin</c> also the operator API.</summary>
public enum ApiKeyRole
{
    Ingest = 1,
    Admin = 2,
}

/// <summary>
/// The caller of a request, from its API key (never the key itself): the key's public id, role and environments. An admin key
/// without environments may post for any; an ingest key always names at least one.
/// </summary>
public sealed record ApiCaller(string KeyId, ApiKeyRole Role, IReadOnlyList<string> Environments)
{
    /// <summary>The environment of an event that names none: the key's one environment, else none (the event is rejected as missing_environment).</summary>
    public string? DefaultEnvironment => Environments.Count == 1 ? Environments[0] : null;

    public bool MayPostFor(string environmentId) =>
        Environments.Count == 0 ? Role == ApiKeyRole.Admin : Environments.Contains(environmentId, StringComparer.Ordinal);
}
