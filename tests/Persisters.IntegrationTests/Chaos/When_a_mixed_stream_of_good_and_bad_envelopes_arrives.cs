using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests.Chaos;

/// <summary>
/// The chaos suite's bad-input scenario (issue 11): one stream mixing good envelopes, envelopes without events, envelopes
/// holding nulls, wrong-typed and oversized events, envelopes and single events sent twice, a malformed single-event message,
/// published in a shuffled order to the real host on RabbitMQ and MariaDB (shared servers: no server fault is needed). Ends
/// with exactly the rows computed from what was sent, none lost, none twice, every bad event accounted for by its reason on
/// /metrics and every unreadable one on the queue's _error queue. The time to drain is printed, not asserted.
/// </summary>
public sealed class When_a_mixed_stream_of_good_and_bad_envelopes_arrives(ITestOutputHelper output)
{
    private const string Dwh = "evaluation-events-dwh";
    private const string Ops = "evaluation-events-ops";

    private static string Json(object message) => JsonSerializer.Serialize(message, message.GetType(), SystemTextJsonMessageSerializer.Options);

    [Fact]
    public async Task Every_readable_event_is_stored_once_and_every_bad_one_is_counted_by_its_reason()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        var stream = await ChaosStream.CreateAsync(sut, "mixed", 4000, seed: 31);
        var traffic = stream.Traffic;
        var x = stream.Experiment;
        var random = new Random(31);
        var validIds = traffic.ValidEvaluations.Select(e => e.Id).ToHashSet();
        var sends = new List<(string Type, string Json)>(); // every message, in the order it is published
        var stored = new List<EvaluationEvent>(traffic.ValidEvaluations);
        int validSent = 0, badSent = 0, malformed = 0, missing = 0;

        void Envelope(IReadOnlyList<EvaluationEvent> events)
        {
            sends.Add(("EvaluationEventBatch", Json(new EvaluationEventBatch { Events = events })));
            foreach (var e in events)
            {
                if (validIds.Contains(e.Id)) validSent++;
                else badSent++;
            }
        }

        // The synthetic stream (5% duplicates, 1% events validation rejects) in envelopes of 1 to 150, and one of 1,500.
        var rest = traffic.Evaluations.ToList();
        Envelope(rest.GetRange(0, 1500));
        rest.RemoveRange(0, 1500);
        var envelopes = new List<EvaluationEvent[]>();
        while (rest.Count > 0)
        {
            var n = Math.Min(rest.Count, random.Next(1, 151));
            envelopes.Add([.. rest.GetRange(0, n)]);
            rest.RemoveRange(0, n);
        }
        foreach (var e in envelopes) Envelope(e);
        // Sent twice: a tenth of the envelopes again, and 100 events again as single-event messages.
        foreach (var e in envelopes.Where((_, i) => i % 10 == 3)) Envelope(e);
        foreach (var e in traffic.ValidEvaluations.Take(100))
        {
            sends.Add(("EvaluationEvent", Json(e)));
            validSent++;
        }

        // Envelopes without events: skipped as missing_events, counted once each.
        foreach (var json in new[] { "{\"events\":null}", "{}", "{\"events\":null,\"note\":\"x\"}" })
        {
            sends.Add(("EvaluationEventBatch", json));
            missing++;
        }

        // Good events with nulls and accepted encodings, beside malformed and oversized ones, in the same envelopes.
        EvaluationEvent Fresh(int i) => SyntheticEvent(x, $"{x.FeatureId}-extra{i}", $"user-extra-{i}", i % 2 == 0 ? "B" : "A");
        for (var i = 0; i < 10; i++)
        {
            var fresh = Enumerable.Range(0, 6).Select(k => Fresh(i * 6 + k)).ToArray();
            var nulls = fresh[0] with { SdkVersion = null!, Tag = null!, Metadata = new Dictionary<string, string> { ["k"] = null! }, User = null };
            var goodJson = new[]
            {
                Json(nulls),
                Json(fresh[1]).Replace($"\"timestamp\": {fresh[1].Timestamp}", $"\"timestamp\": \"{fresh[1].Timestamp}\""),
                Json(fresh[2]).Replace("\"reason\": 1", "\"reason\": \"RULE\"").Replace("\"featureId\"", "\"feature_id\""),
                Json(fresh[3]).Replace("\"featureVersion\": 1", "\"featureVersion\": 1.0"),
            };
            var badJson = new[]
            {
                "null",
                "5",
                Json(fresh[4] with { Id = fresh[4].Id + "-frac" }).Replace($"\"timestamp\": {fresh[4].Timestamp}", $"\"timestamp\": {fresh[4].Timestamp}.5"),
                Json(fresh[4] with { Id = fresh[4].Id + "-num" }).Replace($"\"userId\": \"{fresh[4].UserId}\"", "\"userId\": 12"),
                Json(fresh[4] with { Id = fresh[4].Id + "-reason" }).Replace("\"reason\": 1", "\"reason\": \"BOGUS\""),
                Json(fresh[4] with { Id = fresh[4].Id + "-attr", User = new UserInfo { Id = "u", Data = new Dictionary<string, string> { ["age"] = "31" } } })
                    .Replace("\"age\": \"31\"", "\"age\": 31"),
                Json(fresh[4] with { Id = fresh[4].Id + "-big" }).Replace("\"featureVersion\": 1", "\"featureVersion\": 1e12"),
            };
            var oversizedJson = new[]
            {
                Json(fresh[5] with { Id = new string('i', 1000) }),
                Json(fresh[5] with { Id = fresh[5].Id + "-data", User = new UserInfo { Id = "u", Data = new Dictionary<string, string> { ["blob"] = new string('d', 200_000) } } }),
            };
            var all = goodJson.Concat(badJson).Concat(oversizedJson).OrderBy(_ => random.Next()).ToList();
            sends.Add(("EvaluationEventBatch", $"{{\"events\":[{string.Join(",", all)}]}}"));
            stored.AddRange(fresh.Take(4));
            validSent += goodJson.Length;
            malformed += badJson.Length;
            badSent += oversizedJson.Length;
        }
        // A malformed single-event message: unreadable as a whole, it goes to _error as it is (MassTransit's fault).
        sends.Add(("EvaluationEvent", "{\"id\":\"single-bad\",\"environmentId\":\"chaos\",\"timestamp\":\"soon\"}"));

        var shuffled = sends.OrderBy(_ => random.Next()).ToList();
        await using var host = await sut.StartHostAsync();
        var watch = Stopwatch.StartNew();
        await PublishAsync(sut, shuffled);
        var expectedRows = stored.Select(e => e.Id).Distinct().Count();
        var rowsSql = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{x.FeatureId}'";
        var rows = await sut.WaitForCountAsync(rowsSql, expectedRows, TimeSpan.FromMinutes(3));
        output.WriteLine($"{shuffled.Count} messages ({validSent} readable events to store, {badSent} rejected by validation, {malformed} malformed, {missing} envelopes " +
                         $"without events); all {expectedRows} rows after {watch.Elapsed.TotalSeconds:0.0} s");

        // Exactly the rows computed from what was sent: none lost, none twice; and the kill switch's exact distinct users.
        Assert.Equal(expectedRows, rows);
        Assert.Equal(rows, await sut.Database.ScalarAsync($"SELECT COUNT(DISTINCT id) FROM evaluation_event WHERE feature_id = '{x.FeatureId}'"));
        var usersOfB = stored.Where(e => e.VariationId == "B").Select(e => e.UserId).Distinct().Count();
        Assert.Equal(usersOfB, await sut.WaitForCountAsync(stream.OpsUsersSql, usersOfB, TimeSpan.FromMinutes(1)));
        Assert.Equal("", await sut.Database.TextAsync($"SELECT sdk_version FROM evaluation_event WHERE id = '{x.FeatureId}-extra0'"));

        // Every bad event accounted for by its reason (both evaluation persisters read every event).
        var metrics = PrometheusText.Parse(await host.GetAsync("/metrics"));
        double Skipped(string persister, string? reason = null) => reason is null
            ? metrics.Sum("persisters_events_skipped_total", ("persister", persister))
            : metrics.Sum("persisters_events_skipped_total", ("persister", persister), ("reason", reason));
        foreach (var persister in new[] { Dwh, Ops })
        {
            Assert.Equal(malformed, Skipped(persister, "malformed_event"));
            Assert.Equal(missing, Skipped(persister, "missing_events"));
        }
        // Every event of the stream lies in the experiment's window, so whatever the DWH persister skipped was bad input.
        Assert.Equal(badSent + malformed + missing, Skipped(Dwh));
        Assert.Equal(validSent - expectedRows, metrics.Sum("persisters_events_duplicate_total", ("persister", Dwh)));

        // Every unreadable event on each queue's _error queue: the malformed envelope events one by one, and the single message.
        foreach (var queue in new[] { Dwh, Ops })
        {
            var dead = await TakeAllHeadersAsync(sut, queue + "_error", malformed + 1);
            Assert.Equal(malformed, dead.Count(h => h.ContainsKey("Persisters-Envelope-MessageId")));
            Assert.Single(dead, h => !h.ContainsKey("Persisters-Envelope-MessageId"));
            Assert.All(dead, h => Assert.False(string.IsNullOrWhiteSpace(h.GetValueOrDefault(MessageHeaders.FaultMessage))));
        }
    }

    private static EvaluationEvent SyntheticEvent(ExperimentDefinition x, string id, string user, string variation) => new()
    {
        Id = id, EnvironmentId = x.EnvironmentId, Timestamp = x.StartAt + 60, FeatureId = x.FeatureId, FeatureVersion = x.FeatureVersion, UserId = user,
        User = new UserInfo { Id = user, Data = new Dictionary<string, string> { ["plan"] = "pro" } }, VariationId = variation, Reason = ReasonType.Rule,
        Tag = "web", SourceId = SourceId.Javascript, SdkVersion = "1.0.0",
    };

    /// <summary>Publishes each message as a MassTransit JSON envelope of the given type, its message JSON byte for byte, with publisher confirms.</summary>
    private static async Task PublishAsync(ServiceUnderTest sut, IReadOnlyList<(string Type, string Json)> messages)
    {
        var factory = new ConnectionFactory
        {
            HostName = sut.Servers.RabbitMqHost, Port = sut.Servers.RabbitMqPort, VirtualHost = sut.VirtualHost.Name,
            UserName = TestServers.RabbitMqUser, Password = TestServers.RabbitMqPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var (type, json) in messages)
        {
            var id = Guid.NewGuid().ToString();
            var body = Encoding.UTF8.GetBytes($"{{\"messageId\":\"{id}\",\"messageType\":[\"urn:message:Persisters.Contracts:{type}\"],\"message\":{json}}}");
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = id, Persistent = true };
            await channel.BasicPublishAsync($"Persisters.Contracts:{type}", "", false, properties, body);
        }
    }

    private static async Task<List<Dictionary<string, string>>> TakeAllHeadersAsync(ServiceUnderTest sut, string queue, int expected)
    {
        var taken = new List<Dictionary<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (taken.Count < expected && DateTime.UtcNow < deadline)
        {
            taken.AddRange(await sut.VirtualHost.TakeHeadersAsync(queue, 1000));
            if (taken.Count < expected) await Task.Delay(500);
        }
        return taken;
    }
}
