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
        var shared = new EventJson.SharedFields();
        string featureId = "", variationId = "";
        int featureVersion = 0;
        ReasonType reason = default;
        EventJson.ReadObject(ref reader, "an evaluation event", (scoped ReadOnlySpan<char> property, ref Utf8JsonReader r) =>
        {
            if (shared.Read(property, ref r)) return;
            switch (property)
            {
                case "featureid": featureId = EventJson.String(ref r, "featureId"); break;
                case "featureversion": featureVersion = EventJson.Int32(ref r, "featureVersion"); break;
                case "variationid": variationId = EventJson.String(ref r, "variationId"); break;
                case "reason": reason = EventJson.Enum<ReasonType>(ref r, "reason"); break;
                default: r.Skip(); break;
            }
        });
        return new EvaluationEvent
        {
            Id = shared.Id, EnvironmentId = shared.EnvironmentId, Timestamp = shared.Timestamp, FeatureId = featureId, FeatureVersion = featureVersion,
            UserId = shared.UserId, User = shared.User, VariationId = variationId, Reason = reason, Tag = shared.Tag, SourceId = shared.SourceId,
            SdkVersion = shared.SdkVersion, Metadata = shared.Metadata,
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
        var shared = new EventJson.SharedFields();
        string goalId = "";
        double value = 0;
        EventJson.ReadObject(ref reader, "a goal event", (scoped ReadOnlySpan<char> property, ref Utf8JsonReader r) =>
        {
            if (shared.Read(property, ref r)) return;
            switch (property)
            {
                case "goalid": goalId = EventJson.String(ref r, "goalId"); break;
                case "value": value = EventJson.Double(ref r, "value"); break;
                default: r.Skip(); break;
            }
        });
        return new GoalEvent
        {
            Id = shared.Id, EnvironmentId = shared.EnvironmentId, Timestamp = shared.Timestamp, GoalId = goalId, UserId = shared.UserId, User = shared.User,
            Value = value, Tag = shared.Tag, SourceId = shared.SourceId, SdkVersion = shared.SdkVersion, Metadata = shared.Metadata,
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
