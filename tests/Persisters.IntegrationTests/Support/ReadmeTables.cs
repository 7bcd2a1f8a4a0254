using System.Text.RegularExpressions;

namespace Persisters.IntegrationTests.Support;

/// <summary>Reads tables out of the repository's README.md, so tests check what the README promises.</summary>
public static partial class ReadmeTables
{
    public static string ReadmePath => Path.Combine(RepositoryRoot, "README.md");

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    /// <summary>The body rows (cells trimmed) of the first table after the heading line <paramref name="heading"/>.</summary>
    public static IReadOnlyList<string[]> Table(string heading)
    {
        var lines = File.ReadAllLines(ReadmePath);
        var start = Array.FindIndex(lines, l => l.Trim() == heading);
        if (start < 0) throw new InvalidOperationException($"README.md has no heading '{heading}'.");
        var rows = new List<string[]>();
        var i = start + 1;
        while (i < lines.Length && !lines[i].TrimStart().StartsWith('|')) i++;
        for (i += 2; i < lines.Length && lines[i].TrimStart().StartsWith('|'); i++)
        {
            rows.Add(lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray());
        }
        return rows.Count > 0 ? rows : throw new InvalidOperationException($"README.md has no table under '{heading}'.");
    }

    /// <summary>The text in backticks of a table cell, e.g. <c>`persister`, `reason`</c> → persister, reason.</summary>
    public static IReadOnlyList<string> Code(string cell) => Backticks().Matches(cell).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticks();
}
