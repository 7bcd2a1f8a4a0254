using System.Text.Json;
using System.Text.Json.Serialization;

namespace Persisters.Contracts.Serialization;

/// <summary>Reads an <see cref="EvaluationEvent"/> by the rules of <see cref="EventJson"/>; writes today's wire format.</summary>
public sealed class EvaluationEventJsonConverter : JsonConverter<EvaluationEvent>
{
    public override EvaluationEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadEvent(ref reader);

    /// <summary>Reads one event from the reader's current token (which must start an object).</summary>
    /// <exception cref="JsonException">The event is malformed; the message names the field.</exception>
    public static EvaluationEvent ReadEvent(ref Utf8JsonReader reader)
    {
        string id = "", environmentId = "", featureId = "", userId = "", variationId = "", tag = "", sdkVersion = "";
        long timestamp = 0;
        int featureVersion = 0;
        UserInfo? user = null;
        ReasonType reason = default;
        SourceId sourceId = default;
        IReadOnlyDictionary<string, string>? metadata = null;
        EventJson.ReadObject(ref reader, "an evaluation event", (scoped ReadOnlySpan<char> property, ref Utf8JsonReader r) =>
        {
            switch (property)
            {
                case "id": id = EventJson.String(ref r, "id"); break;
                case "environmentid": environmentId = EventJson.String(ref r, "environmentId"); break;
                case "timestamp": timestamp = EventJson.Int64(ref r, "timestamp"); break;
                case "featureid": featureId = EventJson.String(ref r, "featureId"); break;
                case "featureversion": featureVersion = EventJson.Int32(ref r, "featureVersion"); break;
                case "userid": userId = EventJson.String(ref r, "userId"); break;
                case "user": user = EventJson.User(ref r); break;
                case "variationid": variationId = EventJson.String(ref r, "variationId"); break;
                case "reason": reason = EventJson.Enum<ReasonType>(ref r, "reason"); break;
                case "tag": tag = EventJson.String(ref r, "tag"); break;
                case "sourceid": sourceId = EventJson.Enum<SourceId>(ref r, "sourceId"); break;
                case "sdkversion": sdkVersion = EventJson.String(ref r, "sdkVersion"); break;
                case "metadata": metadata = EventJson.StringMap(ref r, "metadata"); break;
                default: r.Skip(); break;
            }
        });
        return new EvaluationEvent
        {
            Id = id, EnvironmentId = environmentId, Timestamp = timestamp, FeatureId = featureId, FeatureVersion = featureVersion, UserId = userId,
            User = user, VariationId = variationId, Reason = reason, Tag = tag, SourceId = sourceId, SdkVersion = sdkVersion, Metadata = metadata,
        };
    }

    public override void Write(Utf8JsonWriter writer, EvaluationEvent value, JsonSerializerOptions options) => WriteEvent(writer, value);

    public static void WriteEvent(Utf8JsonWriter writer, EvaluationEvent value)
    {
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        writer.WriteString("environmentId", value.EnvironmentId);
        writer.WriteNumber("timestamp", value.Timestamp);
        writer.WriteString("featureId", value.FeatureId);
        writer.WriteNumber("featureVersion", value.FeatureVersion);
        writer.WriteString("userId", value.UserId);
        EventJson.Write(writer, "user", value.User);
        writer.WriteString("variationId", value.VariationId);
        writer.WriteNumber("reason", (int)value.Reason);
        writer.WriteString("tag", value.Tag);
        writer.WriteNumber("sourceId", (int)value.SourceId);
        writer.WriteString("sdkVersion", value.SdkVersion);
        EventJson.Write(writer, "metadata", value.Metadata);
        writer.WriteEndObject();
    }
}

/// <summary>Reads a <see cref="GoalEvent"/> by the rules of <see cref="EventJson"/>; writes today's wire format.</summary>
public sealed class GoalEventJsonConverter : JsonConverter<GoalEvent>
{
    public override GoalEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadEvent(ref reader);

    /// <summary>Reads one event from the reader's current token (which must start an object).</summary>
    /// <exception cref="JsonException">The event is malformed; the message names the field.</exception>
    public static GoalEvent ReadEvent(ref Utf8JsonReader reader)
    {
        string id = "", environmentId = "", goalId = "", userId = "", tag = "", sdkVersion = "";
        long timestamp = 0;
        double value = 0;
        UserInfo? user = null;
        SourceId sourceId = default;
        IReadOnlyDictionary<string, string>? metadata = null;
        EventJson.ReadObject(ref reader, "a goal event", (scoped ReadOnlySpan<char> property, ref Utf8JsonReader r) =>
        {
            switch (property)
            {
                case "id": id = EventJson.String(ref r, "id"); break;
                case "environmentid": environmentId = EventJson.String(ref r, "environmentId"); break;
                case "timestamp": timestamp = EventJson.Int64(ref r, "timestamp"); break;
                case "goalid": goalId = EventJson.String(ref r, "goalId"); break;
                case "userid": userId = EventJson.String(ref r, "userId"); break;
                case "user": user = EventJson.User(ref r); break;
                case "value": value = EventJson.Double(ref r, "value"); break;
                case "tag": tag = EventJson.String(ref r, "tag"); break;
                case "sourceid": sourceId = EventJson.Enum<SourceId>(ref r, "sourceId"); break;
                case "sdkversion": sdkVersion = EventJson.String(ref r, "sdkVersion"); break;
                case "metadata": metadata = EventJson.StringMap(ref r, "metadata"); break;
                default: r.Skip(); break;
            }
        });
        return new GoalEvent
        {
            Id = id, EnvironmentId = environmentId, Timestamp = timestamp, GoalId = goalId, UserId = userId, User = user, Value = value, Tag = tag,
            SourceId = sourceId, SdkVersion = sdkVersion, Metadata = metadata,
        };
    }

    public override void Write(Utf8JsonWriter writer, GoalEvent value, JsonSerializerOptions options) => WriteEvent(writer, value);

    public static void WriteEvent(Utf8JsonWriter writer, GoalEvent value)
    {
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        writer.WriteString("environmentId", value.EnvironmentId);
        writer.WriteNumber("timestamp", value.Timestamp);
        writer.WriteString("goalId", value.GoalId);
        writer.WriteString("userId", value.UserId);
        EventJson.Write(writer, "user", value.User);
        writer.WriteNumber("value", value.Value);
        writer.WriteString("tag", value.Tag);
        writer.WriteNumber("sourceId", (int)value.SourceId);
        writer.WriteString("sdkVersion", value.SdkVersion);
        EventJson.Write(writer, "metadata", value.Metadata);
        writer.WriteEndObject();
    }
}
