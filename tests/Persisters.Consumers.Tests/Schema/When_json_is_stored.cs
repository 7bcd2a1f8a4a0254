using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Tests.Calculator;
using Persisters.Tests.Support;

namespace Persisters.Tests.Schema;

/// <summary>Stored JSON keeps text as UTF-8 (no \uXXXX for non-ASCII) and stays valid JSON.</summary>
public sealed class When_json_is_stored
{
    [Theory]
    [InlineData("日本語", "\"日本語\"")]
    [InlineData("😀 é ü ß Ω", "\"😀 é ü ß Ω\"")]
    [InlineData("<a href='x'>&amp;</a>", "\"<a href='x'>&amp;</a>\"")]
    [InlineData("quote \" backslash \\ slash /", "\"quote \\\" backslash \\\\ slash /\"")]
    [InlineData("\n\r\t\b\f\u0000\u001f\u007f", "\"\\n\\r\\t\\b\\f\\u0000\\u001F\u007f\"")]
    [InlineData("line\u2028paragraph\u2029", "\"line\\u2028paragraph\\u2029\"")]
    public void Only_what_JSON_requires_is_escaped(string text, string json)
    {
        Assert.Equal(json, JsonSerializer.Serialize(text, StoredJson.Options));
    }

    [Fact]
    public void A_lone_surrogate_which_has_no_UTF8_form_is_written_and_counted_as_one_U_FFFD()
    {
        // Built in code: xunit would mangle a lone surrogate in attribute data.
        var text = "lone " + '\ud800' + " and " + '\udc00' + " halves";

        Assert.Equal("\"lone \ufffd and \ufffd halves\"", JsonSerializer.Serialize(text, StoredJson.Options));
        Assert.Equal(text.Length, ColumnText.Characters(text));
        Assert.Equal(2, ColumnText.Characters("a" + '\ud83d'));
    }

    [Fact]
    public void Any_text_round_trips_through_valid_JSON_and_costs_its_UTF8_bytes_plus_escapes()
    {
        var random = new Random(20261130);
        for (var run = 0; run < 5000; run++)
        {
            var text = RandomText(random);
            var json = JsonSerializer.Serialize(new Dictionary<string, string> { [text] = text }, StoredJson.Options);

            using var document = JsonDocument.Parse(json);
            var property = Assert.Single(document.RootElement.EnumerateObject());
            Assert.Equal(text, property.Name);
            Assert.Equal(text, property.Value.GetString());
            Assert.Equal(7 + 2 * StoredBytes(text), Encoding.UTF8.GetByteCount(json)); // {"…":"…"}
        }
    }

    /// <summary>UTF-8 bytes plus what the escapes JSON requires add: \" \\ \n and friends 1, \u00XX 5, \u2028 and \u2029 3.</summary>
    private static int StoredBytes(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        foreach (var c in text)
        {
            bytes += c switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' or '\b' or '\f' => 1,
                < ' ' => 5,
                '\u2028' or '\u2029' => 3,
                _ => 0,
            };
        }

        return bytes;
    }

    /// <summary>Valid UTF-16 (surrogates only in pairs) from every plane, with the characters JSON must escape.</summary>
    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 30); i > 0; i--)
        {
            var scalar = random.Next(6) switch
            {
                0 => random.Next(0, 0x80),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0xD800),
                3 => random.Next(0xE000, 0x10000),
                4 => random.Next(0x10000, 0x110000),
                _ => "\"\\\u2028\u2029\n\u0001"[random.Next(6)],
            };
            text.Append(char.ConvertFromUtf32(scalar));
        }

        return text.ToString();
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 3)]
    [InlineData("日本語", 3)]
    [InlineData("😀😀", 2)]
    [InlineData("e\u0301", 2)] // a letter and a combining accent: two code points, as MariaDB counts them
    public void A_column_counts_code_points(string text, int characters)
    {
        Assert.Equal(characters, ColumnText.Characters(text));
        Assert.True(ColumnText.Fits(text, characters));
        Assert.False(ColumnText.Fits(text + "x", characters));
    }

    [Fact]
    public void Fits_is_exact_at_the_boundary_and_Shorten_never_cuts_a_surrogate_pair()
    {
        var emoji255 = string.Concat(Enumerable.Repeat("😀", 255));
        Assert.True(ColumnText.Fits(emoji255, 255));
        Assert.False(ColumnText.Fits(emoji255 + "x", 255));
        Assert.False(ColumnText.Fits(new string('x', 256), 255));
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", 4)) + "…", ColumnText.Shorten(emoji255, 5));
        Assert.Equal("😀😀", ColumnText.Shorten("😀😀", 2));
    }

    [Fact]
    public async Task A_result_document_keeps_variation_and_goal_ids_as_text()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, goal: "購入😀") with { VariationIds = ["青", "緑"], BaselineVariationId = "青" };
        await h.SeedAsync(x);
        await h.InsertAsync([Rows.Evaluation(now - 100, "ユーザー", "青")], [Rows.Goal(x, now - 50, "ユーザー", "青", 1)]);

        await h.CalculateAsync(x.ExperimentId);

        var data = Assert.Single(await h.ResultRowsAsync()).Data;
        Assert.Contains("\"goalId\":\"購入😀\"", data);
        Assert.Contains("\"id\":\"緑\"", data);
        Assert.DoesNotContain("\\u", data);
        Assert.Equal("緑", CalculatorJsonContext.Parse(data).Goals[0].Calculation.Variations[1].Id);
    }

    [Fact]
    public async Task A_parked_goal_keeps_its_user_data_as_text()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var goal = Events.Goal(now - 10) with { User = new UserInfo { Id = "u1", Data = new Dictionary<string, string> { ["名前"] = "山田😀" } } };

        await h.PublishAsync(goal);

        var payload = await h.QueryAsync(db => db.GoalEventRetries.AsNoTracking().Select(r => r.Payload).SingleAsync());
        Assert.Contains("\"名前\":\"山田😀\"", payload);
        Assert.DoesNotContain("\\u", payload);
    }
}
