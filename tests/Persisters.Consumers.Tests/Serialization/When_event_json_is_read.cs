using System.Text.Json;
using MassTransit.Serialization;
using Persisters.Contracts;

namespace Persisters.Tests.Serialization;

/// <summary>
/// The reading rules of an event's JSON (README, "What happens to each event"): what is accepted, with which value, and
/// what makes the event malformed. Read with MassTransit's own serializer options, as the transport reads them.
/// </summary>
public sealed class When_event_json_is_read
{
    private const string Valid =
        "\"id\":\"e1\",\"environmentId\":\"env\",\"timestamp\":1796032096,\"featureId\":\"f\",\"featureVersion\":3,\"userId\":\"u\",\"variationId\":\"B\"";

    private static EvaluationEvent Read(string fields) =>
        JsonSerializer.Deserialize<EvaluationEvent>("{" + fields + "}", SystemTextJsonMessageSerializer.Options)!;

    private static EvaluationEvent ReadWith(string field, string json) => Read(Valid + ",\"" + field + "\":" + json);

    private static GoalEvent ReadGoal(string fields) =>
        JsonSerializer.Deserialize<GoalEvent>("{\"id\":\"g1\",\"environmentId\":\"env\",\"timestamp\":1,\"goalId\":\"g\",\"userId\":\"u\"" + fields + "}",
            SystemTextJsonMessageSerializer.Options)!;

    [Theory]
    [InlineData("1796032096")]
    [InlineData("\"1796032096\"")] // proto3 JSON sends int64 as a decimal string
    [InlineData("1796032096.0")]
    [InlineData("1.796032096e9")]
    [InlineData("\"1.796032096E9\"")]
    public void An_integer_is_accepted_as_a_number_or_a_decimal_string_when_its_value_is_exact(string json)
    {
        Assert.Equal(1796032096, ReadWith("timestamp", json).Timestamp);
        Assert.Equal(7, ReadWith("featureVersion", json.Replace("1796032096", "7").Replace("1.796032096e9", "7").Replace("1.796032096E9", "7")).FeatureVersion);
    }

    [Theory]
    [InlineData("timestamp", "1796032096.5")] // a fraction is never rounded
    [InlineData("timestamp", "\"1796032096.5\"")]
    [InlineData("timestamp", "\"not a number\"")]
    [InlineData("timestamp", "\" 1796032096\"")]
    [InlineData("timestamp", "9223372036854775808")] // beyond int64
    [InlineData("timestamp", "1e30")]
    [InlineData("timestamp", "true")]
    [InlineData("timestamp", "{\"seconds\":1}")]
    [InlineData("timestamp", "[1]")]
    [InlineData("featureVersion", "2147483648")] // beyond int32
    [InlineData("featureVersion", "2.5")]
    [InlineData("id", "123")] // a number for a string is not converted
    [InlineData("userId", "true")]
    [InlineData("userId", "{\"id\":\"u\"}")]
    [InlineData("variationId", "[\"B\"]")]
    [InlineData("reason", "\"BOGUS\"")] // an unknown name
    [InlineData("reason", "1.5")]
    [InlineData("reason", "{\"type\":\"RULE\"}")]
    [InlineData("sourceId", "\"Rule,Target\"")]
    [InlineData("user", "\"u\"")]
    [InlineData("user", "{\"id\":7}")]
    [InlineData("user", "{\"id\":\"u\",\"data\":{\"age\":31}}")] // attribute values are strings
    [InlineData("user", "{\"id\":\"u\",\"data\":[\"a\"]}")]
    [InlineData("metadata", "{\"k\":true}")]
    [InlineData("userId", "\"\\ud800\"")] // an unpaired surrogate cannot become a string
    public void A_value_of_the_wrong_type_or_out_of_range_makes_the_event_malformed_and_names_the_field(string field, string json)
    {
        var ex = Assert.Throws<JsonException>(() => ReadWith(field, json));
        Assert.Contains(field, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("1", ReasonType.Rule)]
    [InlineData("\"1\"", ReasonType.Rule)]
    [InlineData("\"RULE\"", ReasonType.Rule)]
    [InlineData("\"rule\"", ReasonType.Rule)]
    [InlineData("\"OFF_VARIATION\"", ReasonType.OffVariation)]
    [InlineData("\"offVariation\"", ReasonType.OffVariation)]
    [InlineData("2", (ReasonType)2)] // no name in this version: kept as sent (a newer SDK's value)
    [InlineData("null", ReasonType.Target)]
    public void An_enum_is_accepted_by_number_or_by_name_ignoring_case_and_underscores(string json, ReasonType expected) =>
        Assert.Equal(expected, ReadWith("reason", json).Reason);

    [Fact]
    public void Source_ids_read_like_reasons() =>
        Assert.Equal((SourceId.GoServer, (SourceId)999), (ReadWith("sourceId", "\"GO_SERVER\"").SourceId, ReadWith("sourceId", "999").SourceId));

    [Fact]
    public void Null_or_a_missing_field_is_the_field_default_so_validation_names_what_is_missing()
    {
        var e = Read("\"id\":null,\"environmentId\":null,\"timestamp\":null,\"featureVersion\":null,\"userId\":null,\"user\":null,\"variationId\":null," +
                     "\"tag\":null,\"sdkVersion\":null,\"metadata\":null,\"reason\":null,\"sourceId\":null");

        Assert.Equal(("", "", 0L, "", 0, "", null, "", "", ""), (e.Id, e.EnvironmentId, e.Timestamp, e.FeatureId, e.FeatureVersion, e.UserId, e.User, e.VariationId, e.Tag, e.SdkVersion));
        Assert.Null(e.Metadata);
    }

    [Fact]
    public void A_null_attribute_value_is_dropped_and_a_user_without_id_has_an_empty_one()
    {
        var e = ReadWith("user", "{\"id\":null,\"data\":{\"plan\":\"pro\",\"gone\":null}}");

        Assert.Equal("", e.User!.Id);
        Assert.Equal(new Dictionary<string, string> { ["plan"] = "pro" }, e.User.Data);
    }

    [Fact]
    public void Property_names_match_ignoring_case_and_underscores_and_unknown_properties_are_ignored()
    {
        var e = Read("\"ID\":\"e1\",\"environment_id\":\"env\",\"Timestamp\":5,\"feature_id\":\"f\",\"FEATURE_VERSION\":2,\"user_id\":\"u\"," +
                     "\"variation_id\":\"B\",\"sdk_version\":\"1.0\",\"comesLater\":{\"nested\":[1,{\"a\":null}]},\"evaluations\":[]");

        Assert.Equal(("e1", "env", 5L, "f", 2, "u", "B", "1.0"), (e.Id, e.EnvironmentId, e.Timestamp, e.FeatureId, e.FeatureVersion, e.UserId, e.VariationId, e.SdkVersion));
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("\"1.5\"", 1.5)]
    [InlineData("12", 12.0)]
    [InlineData("\"NaN\"", double.NaN)] // proto3 JSON; validation then skips it as invalid_value
    [InlineData("\"-Infinity\"", double.NegativeInfinity)]
    [InlineData("1e400", double.PositiveInfinity)]
    public void A_goal_value_is_a_number_or_a_string_holding_one(string json, double expected) =>
        Assert.Equal(expected, ReadGoal(",\"value\":" + json).Value);

    [Theory]
    [InlineData("true")]
    [InlineData("\"1,5\"")]
    [InlineData("{}")]
    public void A_goal_value_of_another_type_is_malformed(string json) =>
        Assert.Contains("value", Assert.Throws<JsonException>(() => ReadGoal(",\"value\":" + json)).Message);

    [Fact]
    public void An_event_written_today_reads_back_the_same()
    {
        var e = new EvaluationEvent
        {
            Id = "e1", EnvironmentId = "env", Timestamp = 1796032096, FeatureId = "f", FeatureVersion = 3, UserId = "u",
            User = new UserInfo { Id = "u", Data = new Dictionary<string, string> { ["plan"] = "pro" } }, VariationId = "B", Reason = ReasonType.OffVariation,
            Tag = "web", SourceId = SourceId.OpenFeatureGo, SdkVersion = "2.0", Metadata = new Dictionary<string, string> { ["k"] = "v" },
        };

        var json = JsonSerializer.Serialize(e, SystemTextJsonMessageSerializer.Options);
        var back = JsonSerializer.Deserialize<EvaluationEvent>(json, SystemTextJsonMessageSerializer.Options)!;

        Assert.Equal(e with { User = null, Metadata = null }, back with { User = null, Metadata = null });
        Assert.Equal(e.User.Data, back.User!.Data);
        Assert.Equal(e.Metadata, back.Metadata);
        // Enums stay numbers on the wire, so a consumer of an older version reads them.
        Assert.Contains("\"reason\": 5", json);
    }
}
