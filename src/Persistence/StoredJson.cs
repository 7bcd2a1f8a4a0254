using System.Text.Json;

namespace Persisters.Persistence;

/// <summary>
/// How JSON is written into the tables (<c>user_data</c>, <c>goal_event_retry.payload</c>, experiment variations and
/// goals, rule clauses, <c>experiment_result.data</c>): System.Text.Json with <see cref="MinimalJsonEncoder"/>, so text
/// in any script is stored as its UTF-8 bytes. The default encoder writes every non-ASCII character as <c>\uXXXX</c>
/// (Japanese text doubles, an emoji becomes 12 bytes instead of 4), which inflates the rows and made size limits
/// measure escapes instead of data.
/// </summary>
public static class StoredJson
{
    /// <summary>Web defaults (camelCase, case-insensitive reading) with <see cref="MinimalJsonEncoder"/>.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { Encoder = MinimalJsonEncoder.Instance };
}
