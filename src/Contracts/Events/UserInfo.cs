namespace Persisters.Contracts;

/// <summary>The SDK's user: id plus free-form attributes.</summary>
public sealed record UserInfo
{
    public string Id { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}
