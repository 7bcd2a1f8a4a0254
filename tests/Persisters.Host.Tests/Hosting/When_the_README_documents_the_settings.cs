using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Persisters.Host.Configuration;
using Persisters.Tests.Ingest;

namespace Persisters.Tests.Hosting;

/// <summary>
/// The settings tables of the README (and src/Scheduling/README.md, which holds the scheduler's keys) against the options
/// classes: every key of every section (a class with a <c>SectionName</c> constant in a Persisters assembly, nested parts
/// included) has a row, every row names a real key, and every default in a row is the class's default. A key is written in
/// its environment form (<c>Persisters__Batch__MessageLimit</c>); a row may list several (<c>`A__B` / `__C`</c>) with as many
/// defaults. A default that follows other settings (a null property: <c>Database:MigrateOnStart</c>) is described, not checked.
/// </summary>
public sealed partial class When_the_README_documents_the_settings
{
    /// <summary>Bound by the binder but not a setting: the host gives the saga <c>Persisters:LateEventTail</c> (and refuses this key).</summary>
    private static readonly string[] NotSettings = ["ExperimentLifecycle__LateEventTail"];

    private static readonly string[] Nothing = ["–", "—", "none", "any"];

    [Fact]
    public void Every_key_of_every_options_class_has_a_row()
    {
        var rows = Rows();
        var missing = Keys().Keys.Where(k => !rows.Any(r => r.Key == k)).ToList();

        Assert.True(missing.Count == 0, "README settings table lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_row_names_a_key_and_states_its_default()
    {
        var keys = Keys();
        var sections = keys.Keys.Select(k => k.Split("__")[0]).ToHashSet();
        var wrong = new List<string>();
        foreach (var (key, cell, file) in Rows())
        {
            if (!sections.Contains(key.Split("__")[0])) continue; // Urls, ShutdownTimeoutSeconds: the framework's own keys.
            if (!keys.TryGetValue(key, out var expected)) wrong.Add($"{file}: {key} is not a setting");
            else if (!Matches(expected, cell)) wrong.Add($"{file}: {key} default '{cell}', the class says '{Format(expected)}'");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void The_check_finds_every_section_and_reads_a_duration_as_the_README_writes_it()
    {
        var sections = Keys().Keys.Select(k => k.Split("__")[0]).Distinct().Order().ToList();
        Assert.Equal(["AutoOps", "Calculator", "Database", "ExperimentLifecycle", "Ingest", "Persisters", "Scheduler", "Transport"], sections);
        Assert.True(Matches(TimeSpan.FromMinutes(5), "5 min"));
        Assert.True(Matches(TimeSpan.FromMilliseconds(200), "`00:00:00.200`"));
        Assert.False(Matches(TimeSpan.FromMinutes(5), "`00:05:01`"));
        Assert.True(Matches(8388608, "8388608 (8 MiB)"));
        Assert.False(Matches(50, "51"));
        Assert.False(Matches("", "`x`"));
    }

    /// <summary>Every setting's environment form and the class's default (null: it follows other settings).</summary>
    private static Dictionary<string, object?> Keys()
    {
        var keys = new Dictionary<string, object?>(StringComparer.Ordinal);
        var host = typeof(TransportOptions).Assembly;
        var assemblies = host.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Persisters.", StringComparison.Ordinal)).Select(Assembly.Load).Append(host);
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field) continue;
            Walk(Activator.CreateInstance(type)!, (string)field.GetRawConstantValue()!, keys);
        }
        foreach (var key in NotSettings) Assert.True(keys.Remove(key), key);
        return keys;
    }

    private static void Walk(object options, string prefix, Dictionary<string, object?> keys)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length > 0) continue;
            var type = property.PropertyType;
            var key = $"{prefix}__{property.Name}";
            var value = property.GetValue(options);
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                // One entry per name the operator chooses: AutoOps__Webhooks__<environmentId>__Url.
                Walk(Activator.CreateInstance(type.GetGenericArguments()[1])!, $"{key}__<>", keys);
            }
            else if (type.IsArray)
            {
                keys[$"{key}__N"] = value;
            }
            else if (type.IsClass && type != typeof(string) && type != typeof(Uri))
            {
                Walk(value!, key, keys);
            }
            else
            {
                keys[key] = value;
            }
        }
    }

    /// <summary>(key, default cell, file) of every row of a settings table.</summary>
    private static List<(string Key, string Default, string File)> Rows()
    {
        var root = When_bucketeer_sdks_register_events.RepositoryRoot();
        var rows = new List<(string, string, string)>();
        foreach (var (file, header, prefix) in new[] { ("README.md", "| setting | default |", ""), ("src/Scheduling/README.md", "| key | default |", "Scheduler__") })
        {
            var inTable = false;
            foreach (var line in File.ReadAllLines(Path.Combine(root, file)))
            {
                if (line.StartsWith(header, StringComparison.Ordinal)) { inTable = true; continue; }
                if (!line.StartsWith('|')) { inTable = false; continue; }
                if (!inTable || line.StartsWith("|---", StringComparison.Ordinal)) continue;
                var cells = line.Split('|');
                var keys = Backticked().Matches(cells[1]).Select(m => m.Groups[1].Value).ToList();
                var resolved = new List<string>();
                foreach (var k in keys)
                {
                    var full = k.StartsWith("__", StringComparison.Ordinal) ? resolved[0][..resolved[0].LastIndexOf("__", StringComparison.Ordinal)] + k
                        : prefix.Length > 0 && !k.StartsWith(prefix, StringComparison.Ordinal) ? prefix + k : k;
                    resolved.Add(Placeholder().Replace(full, "<>"));
                }
                var defaults = Split(cells[2].Trim(), resolved.Count);
                for (var i = 0; i < resolved.Count; i++) rows.Add((resolved[i], defaults[i], file));
            }
        }
        return rows;
    }

    /// <summary>A default cell for <paramref name="count"/> keys: split on " / " or ", ", or one value for all.</summary>
    private static string[] Split(string cell, int count)
    {
        if (count == 1) return [cell];
        foreach (var separator in new[] { " / ", ", " })
        {
            var parts = cell.Split(separator);
            if (parts.Length == count) return parts;
        }
        return Enumerable.Repeat(cell, count).ToArray();
    }

    private static bool Matches(object? expected, string cell)
    {
        if (expected is null) return true;
        var text = cell.Replace("`", "").Trim();
        var lead = Regex.Match(text, @"^[^ ,(]+").Value;
        return expected switch
        {
            string s when s.Length == 0 => Nothing.Contains(lead),
            string s => lead == s,
            bool b => lead == (b ? "true" : "false"),
            TimeSpan t => Duration(text) == t,
            Enum e => lead == e.ToString(),
            IEnumerable e => !e.Cast<object>().Any() && Nothing.Contains(lead),
            IFormattable f => lead == f.ToString(null, CultureInfo.InvariantCulture),
            _ => false,
        };
    }

    private static string Format(object? value) => value switch
    {
        TimeSpan t => t.ToString("c"),
        string s when s.Length == 0 => "–",
        IEnumerable e and not string => "none",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A duration as the tables write it: <c>00:00:30</c>, <c>1.00:00:00</c>, <c>0</c>, or <c>30 s</c>, <c>5 min</c>, <c>24 h</c>, <c>2 days</c>.</summary>
    private static TimeSpan? Duration(string text)
    {
        var value = text.Split(" (")[0].Trim();
        if (Humanized().Match(value) is { Success: true } m)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "min" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
        }
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var t) ? t : null;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^([0-9.]+) (ms|s|min|h|d|days?)$")]
    private static partial Regex Humanized();
}
