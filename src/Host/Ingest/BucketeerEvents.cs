using System.Globalization;
using System.Text.Json;
using Persisters.Contracts;

namespace Persisters.Host.Ingest;

/// <summary>
/// Reads the events of Bucketeer's <c>RegisterEventsRequest</c> in the proto3 JSON mapping, as Bucketeer's gateway does (Go
/// protojson): each field by its lowerCamelCase name or its original snake_case name, int64 and int32 as numbers or decimal
/// strings, doubles also as <c>"NaN"</c>/<c>"Infinity"</c>, enums by number or by name, unknown fields ignored. The event type is the
/// <c>@type</c> inside <c>event</c> or, when absent, the numeric <c>type</c> beside it (1 goal, 3 evaluation, 4 metrics; the JS,
/// Android and iOS SDKs send both, the Go server SDK only <c>@type</c>).
/// Source: bucketeer-io/bucketeer <c>proto/event/client/event.proto</c>, <c>proto/feature/reason.proto</c>, <c>proto/user/user.proto</c>.
/// </summary>
public static class BucketeerEvents
{
    /// <summary>What an envelope holds.</summary>
    public enum Kind
    {
        Evaluation,
        Goal,
        /// <summary>Metrics events, and the other types Bucketeer accepts: acknowledged, counted, not stored.</summary>
        NotStored,
        Unsupported,
    }

    private const string TypePrefix = "bucketeer.event.client.";

    /// <summary>The kind of the envelope <paramref name="envelope"/> and the type's name for the metrics.</summary>
    public static (Kind Kind, string TypeName) KindOf(JsonElement envelope, JsonElement inner)
    {
        if (inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("@type", out var url) && url.ValueKind == JsonValueKind.String)
        {
            var full = url.GetString() ?? "";
            var name = full[(full.LastIndexOf('/') + 1)..];
            return name switch
            {
                TypePrefix + "EvaluationEvent" => (Kind.Evaluation, "evaluation"),
                TypePrefix + "GoalEvent" => (Kind.Goal, "goal"),
                TypePrefix + "MetricsEvent" => (Kind.NotStored, "metrics"),
                _ => (Kind.Unsupported, name),
            };
        }
        if (envelope.TryGetProperty("type", out var type))
        {
            var number = type.ValueKind == JsonValueKind.Number && type.TryGetInt32(out var n) ? n : type.ValueKind == JsonValueKind.String ? TypeNumber(type.GetString()) : -1;
            return number switch
            {
                1 => (Kind.Goal, "goal"),
                3 => (Kind.Evaluation, "evaluation"),
                4 => (Kind.NotStored, "metrics"),
                _ => (Kind.Unsupported, $"type {type.GetRawText()}"),
            };
        }
        return (Kind.Unsupported, "none");
    }

    private static int TypeNumber(string? name) => name switch { "GOAL" => 1, "EVALUATION" => 3, "METRICS" => 4, _ => -1 };

    /// <summary>The evaluation event; throws <see cref="FormatException"/> naming the field when a value has the wrong type.</summary>
    public static EvaluationEvent Evaluation(string id, string environmentId, JsonElement e) => new()
    {
        Id = id,
        EnvironmentId = environmentId,
        Timestamp = Int64(e, "timestamp", "timestamp"),
        FeatureId = Text(e, "featureId", "feature_id"),
        FeatureVersion = (int)Int64(e, "featureVersion", "feature_version", int.MinValue, int.MaxValue),
        UserId = Text(e, "userId", "user_id"),
        User = User(e),
        VariationId = Text(e, "variationId", "variation_id"),
        Reason = Reason(e),
        Tag = Text(e, "tag", "tag"),
        SourceId = Source(e),
        SdkVersion = Text(e, "sdkVersion", "sdk_version"),
        Metadata = Map(e, "metadata"),
    };

    /// <summary>The goal event; throws <see cref="FormatException"/> naming the field when a value has the wrong type.</summary>
    public static GoalEvent Goal(string id, string environmentId, JsonElement e) => new()
    {
        Id = id,
        EnvironmentId = environmentId,
        Timestamp = Int64(e, "timestamp", "timestamp"),
        GoalId = Text(e, "goalId", "goal_id"),
        UserId = Text(e, "userId", "user_id"),
        User = User(e),
        Value = Double(e, "value"),
        Tag = Text(e, "tag", "tag"),
        SourceId = Source(e),
        SdkVersion = Text(e, "sdkVersion", "sdk_version"),
        Metadata = Map(e, "metadata"),
    };

    /// <summary>
    /// Bucketeer's reason names and numbers onto <see cref="ReasonType"/>: TARGET 0, RULE 1, DEFAULT 3, CLIENT 4, OFF_VARIATION 5,
    /// PREREQUISITE 6 by name; every <c>ERROR_*</c> (20–26: ERROR_NO_EVALUATIONS … ERROR_CACHE_NOT_FOUND) is <see cref="ReasonType.Error"/>
    /// (the persisters store the reason's name, and one error bucket is what an experiment needs). No reason = DEFAULT.
    /// </summary>
    public static ReasonType Reason(JsonElement e)
    {
        if (Field(e, "reason", "reason") is not { } reason || reason.ValueKind == JsonValueKind.Null) return ReasonType.Default;
        if (reason.ValueKind != JsonValueKind.Object) throw new FormatException("reason must be an object {\"type\": …}");
        if (Field(reason, "type", "type") is not { } type || type.ValueKind == JsonValueKind.Null) return ReasonType.Target; // proto3: 0
        if (type.ValueKind == JsonValueKind.Number && type.TryGetInt32(out var n))
        {
            return n switch
            {
                0 => ReasonType.Target,
                1 => ReasonType.Rule,
                3 => ReasonType.Default,
                4 => ReasonType.Client,
                5 => ReasonType.OffVariation,
                6 => ReasonType.Prerequisite,
                >= 20 and <= 26 => ReasonType.Error,
                _ => throw new FormatException($"reason.type {n} is not a Bucketeer reason"),
            };
        }
        var name = type.ValueKind == JsonValueKind.String ? type.GetString() ?? "" : throw new FormatException("reason.type must be a name or a number");
        return name switch
        {
            "TARGET" => ReasonType.Target,
            "RULE" => ReasonType.Rule,
            "DEFAULT" => ReasonType.Default,
            "CLIENT" => ReasonType.Client,
            "OFF_VARIATION" => ReasonType.OffVariation,
            "PREREQUISITE" => ReasonType.Prerequisite,
            _ when name.StartsWith("ERROR_", StringComparison.Ordinal) => ReasonType.Error,
            _ => throw new FormatException($"reason.type '{name}' is not a Bucketeer reason"),
        };
    }

    private static SourceId Source(JsonElement e)
    {
        if (Field(e, "sourceId", "source_id") is not { } s || s.ValueKind == JsonValueKind.Null) return SourceId.Unknown;
        if (s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n)) return Enum.IsDefined((SourceId)n) ? (SourceId)n : SourceId.Unknown;
        if (s.ValueKind != JsonValueKind.String) throw new FormatException("sourceId must be a number or a name");
        var name = (s.GetString() ?? "").Replace("_", "", StringComparison.Ordinal);
        return Enum.TryParse<SourceId>(name, ignoreCase: true, out var parsed) && !int.TryParse(name, out _) ? parsed : SourceId.Unknown;
    }

    private static UserInfo? User(JsonElement e)
    {
        if (Field(e, "user", "user") is not { } u || u.ValueKind == JsonValueKind.Null) return null;
        if (u.ValueKind != JsonValueKind.Object) throw new FormatException("user must be an object");
        return new UserInfo { Id = Text(u, "id", "id"), Data = Map(u, "data") };
    }

    private static Dictionary<string, string>? Map(JsonElement e, string name)
    {
        if (Field(e, name, name) is not { } m || m.ValueKind == JsonValueKind.Null) return null;
        if (m.ValueKind != JsonValueKind.Object) throw new FormatException($"{name} must be an object of strings");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in m.EnumerateObject())
        {
            map[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => throw new FormatException($"{name}.{p.Name} must be a string"),
            };
        }
        return map;
    }

    private static JsonElement? Field(JsonElement e, string camel, string snake) =>
        e.TryGetProperty(camel, out var v) || (snake != camel && e.TryGetProperty(snake, out v)) ? v : null;

    private static string Text(JsonElement e, string camel, string snake) => Field(e, camel, snake) switch
    {
        null => "",
        { ValueKind: JsonValueKind.Null } => "",
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        _ => throw new FormatException($"{camel} must be a string"),
    };

    private static long Int64(JsonElement e, string camel, string snake, long min = long.MinValue, long max = long.MaxValue)
    {
        var v = Field(e, camel, snake);
        long value;
        if (v is null || v.Value.ValueKind == JsonValueKind.Null) return 0;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out value)) { }
        else if (v.Value.ValueKind == JsonValueKind.String && long.TryParse(v.Value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) { }
        else throw new FormatException($"{camel} must be an integer (a number or a decimal string)");
        if (value < min || value > max) throw new FormatException($"{camel} is out of range");
        return value;
    }

    private static double Double(JsonElement e, string name)
    {
        if (Field(e, name, name) is not { } v || v.ValueKind == JsonValueKind.Null) return 0;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String)
        {
            var s = v.GetString();
            return s switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => throw new FormatException($"{name} must be a number"),
            };
        }
        throw new FormatException($"{name} must be a number");
    }
}
