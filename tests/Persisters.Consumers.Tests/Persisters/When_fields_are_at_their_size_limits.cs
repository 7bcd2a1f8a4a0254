using System.Text;
using MassTransit;
using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

/// <summary>
/// Limits in the README's and the columns' units: ids in characters (code points; an emoji is one character, two UTF-16
/// units, four UTF-8 bytes; MariaDB's varchar(255) holds 255 of them), user data in UTF-8 bytes of its stored JSON,
/// which keeps non-ASCII text unescaped. Exactly at a limit is stored whole; one over is skipped, never a database
/// error or a truncated value.
/// </summary>
public abstract class When_fields_are_at_their_size_limits
{
    private const string Dwh = "evaluation-events-dwh";
    private const string GoalDwh = "goal-events-dwh";
    private const string Emoji = "😀";
    private const int UserDataLimit = 64 * 1024;
    private const int SdkVersionLength = 64;

    protected abstract Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null);

    private static string Emojis(int characters) => string.Concat(Enumerable.Repeat(Emoji, characters));

    /// <summary>User data whose stored JSON, {"k":"…"}, is exactly <paramref name="bytes"/> UTF-8 bytes: Japanese, emoji, ASCII.</summary>
    private static Dictionary<string, string> UserDataOf(int bytes)
    {
        var text = new StringBuilder();
        var left = bytes - Encoding.UTF8.GetByteCount("""{"k":""}""");
        for (; left >= 7; left -= 7) text.Append("日😀"); // 3 + 4 bytes
        text.Append('x', left);
        return new Dictionary<string, string> { ["k"] = text.ToString() };
    }

    [Fact]
    public async Task User_data_of_36010_bytes_of_Japanese_text_is_stored_unescaped()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var japanese = string.Concat(Enumerable.Repeat("日本語のテキスト", 1500)) + "あいうえ"; // 12,004 characters
        Assert.Equal(36_012, Encoding.UTF8.GetByteCount(japanese));
        var e = Events.Evaluation(now - 10) with { User = new UserInfo { Id = "u1", Data = new Dictionary<string, string> { ["bio"] = japanese } } };

        await h.PublishAsync(e);

        var row = Assert.Single(await h.EvaluationRowsAsync());
        Assert.Equal($$"""{"bio":"{{japanese}}"}""", row.UserData); // no \uXXXX: 36,022 bytes stored, not 72,022 characters
        Assert.Equal(0, h.Metrics.Skipped(Dwh, "user_data_too_large"));
    }

    [Fact]
    public async Task User_data_of_exactly_64_KiB_of_UTF8_is_stored_and_one_byte_more_is_skipped()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var atLimit = Events.Evaluation(now - 10, id: "at-limit") with { User = new UserInfo { Id = "u1", Data = UserDataOf(UserDataLimit) } };
        var over = Events.Evaluation(now - 10, id: "over") with { User = new UserInfo { Id = "u2", Data = UserDataOf(UserDataLimit + 1) } };

        await h.PublishAsync(atLimit, over);

        var row = Assert.Single(await h.EvaluationRowsAsync());
        Assert.Equal("at-limit", row.Id);
        Assert.Equal(UserDataLimit, Encoding.UTF8.GetByteCount(row.UserData!));
        Assert.Equal(atLimit.User!.Data!["k"], System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(row.UserData!)!["k"]);
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "user_data_too_large"));
    }

    [Fact]
    public async Task An_envelope_of_events_near_the_user_data_limit_is_written_whole_in_statements_the_server_accepts()
    {
        // 300 × ~64 KiB ≈ 19 MiB of rows: more than MariaDB's default max_allowed_packet (16 MiB) in one statement.
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var data = UserDataOf(UserDataLimit);
        var evaluations = Enumerable.Range(0, 300)
            .Select(i => Events.Evaluation(now - 100, user: $"u{i}") with { User = new UserInfo { Id = $"u{i}", Data = data } }).ToArray();
        var goals = Enumerable.Range(0, 300)
            .Select(i => Events.Goal(now - 10, user: i < 150 ? $"u{i}" : $"not-yet-{i}") with { User = new UserInfo { Id = "x", Data = data } }).ToArray();

        await h.PublishAsync(new EvaluationEventBatch { Events = evaluations });
        await h.PublishAsync(new GoalEventBatch { Events = goals });

        Assert.Equal(300, (await h.EvaluationRowsAsync()).Count);
        Assert.Equal(150, (await h.GoalRowsAsync()).Count);
        Assert.Equal(150, await h.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.GoalEventRetries)));
        Assert.False(await h.Harness.Published.Any<Fault<EvaluationEventBatch>>());
        Assert.False(await h.Harness.Published.Any<Fault<GoalEventBatch>>());
    }

    [Fact]
    public async Task Every_id_of_exactly_its_column_length_in_emoji_is_stored_whole_and_one_more_character_is_skipped()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        var environment = Emojis(PersistersDbContext.EnvironmentIdLength);
        var feature = Emojis(PersistersDbContext.IdLength);
        var variation = Emojis(PersistersDbContext.IdLength - 1) + "A";
        var goal = Emojis(PersistersDbContext.IdLength - 1) + "G";
        await h.SeedAsync(Events.Experiment(now, feature: feature, goal: goal) with
        {
            EnvironmentId = environment,
            VariationIds = [variation, "B"],
            BaselineVariationId = variation,
        });
        var user = Emojis(PersistersDbContext.IdLength);
        var ok = Events.Evaluation(now - 100, user: user, variation: variation, feature: feature, id: Emojis(PersistersDbContext.IdLength)) with
        {
            EnvironmentId = environment,
            Tag = Emojis(PersistersDbContext.IdLength),
            SdkVersion = Emojis(SdkVersionLength),
        };
        var tooLong = new[]
        {
            ok with { Id = Emojis(PersistersDbContext.IdLength + 1) },
            ok with { Id = "user", UserId = Emojis(PersistersDbContext.IdLength + 1) },
            ok with { Id = "tag", Tag = Emojis(PersistersDbContext.IdLength + 1) },
            ok with { Id = "sdk", SdkVersion = Emojis(SdkVersionLength + 1) },
            ok with { Id = "environment", EnvironmentId = Emojis(PersistersDbContext.EnvironmentIdLength + 1) },
            ok with { Id = "feature", FeatureId = Emojis(PersistersDbContext.IdLength + 1) },
            ok with { Id = "variation", VariationId = Emojis(PersistersDbContext.IdLength + 1) },
        };

        await h.PublishAsync([.. tooLong, ok]);
        var goalOk = Events.Goal(now - 10, user: user, goal: goal, id: Emojis(PersistersDbContext.IdLength)) with { EnvironmentId = environment };
        await h.PublishAsync(goalOk, goalOk with { Id = Emojis(PersistersDbContext.IdLength + 1) }, goalOk with { Id = "goal", GoalId = goal + "X" });

        var row = Assert.Single(await h.EvaluationRowsAsync());
        Assert.Equal((ok.Id, ok.UserId, ok.EnvironmentId, ok.FeatureId, ok.VariationId, ok.Tag, ok.SdkVersion),
            (row.Id, row.UserId, row.EnvironmentId, row.FeatureId, row.VariationId, row.Tag, row.SdkVersion));
        Assert.Equal(tooLong.Length, h.Metrics.Skipped(Dwh, "field_too_long"));
        var goalRow = Assert.Single(await h.GoalRowsAsync());
        Assert.Equal((goalOk.Id, goal, variation), (goalRow.Id, goalRow.GoalId, goalRow.VariationId));
        Assert.Equal(2, h.Metrics.Skipped(GoalDwh, "field_too_long"));
        Assert.False(await h.Harness.Published.Any<Fault<EvaluationEvent>>()); // no database error failed a batch
        Assert.False(await h.Harness.Published.Any<Fault<GoalEvent>>());
    }
}

public sealed class When_fields_are_at_their_size_limits_on_SQLite : When_fields_are_at_their_size_limits
{
    protected override Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null) => PersisterHarness.StartAsync(configure);
}

public sealed class When_fields_are_at_their_size_limits_on_MariaDb : When_fields_are_at_their_size_limits, IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync(serverDefaultCollation: true);

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    protected override Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null) =>
        PersisterHarness.StartAsync(configure, _database!.Options);
}
