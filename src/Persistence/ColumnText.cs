using System.Text;

namespace Persisters.Persistence;

/// <summary>
/// Text lengths in the units the columns use. A <c>varchar(n)</c> column holds n characters on both providers' terms:
/// MySQL/MariaDB with utf8mb4 count Unicode code points (an emoji is one, whatever its four UTF-8 bytes or two UTF-16
/// units), and SQLite does not limit TEXT at all, so the checks here are the limit on both. Stored JSON is measured in
/// UTF-8 bytes, the form both providers keep.
/// </summary>
public static class ColumnText
{
    /// <summary>
    /// Unicode code points: UTF-16 units minus surrogate pairs. A lone surrogate counts as one, as the one U+FFFD it is
    /// stored as.
    /// </summary>
    public static int Characters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = value.Length;
        for (var i = 0; i + 1 < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && char.IsLowSurrogate(value[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    /// <summary>True when <paramref name="value"/> (null counts as empty) fits a column of <paramref name="characters"/> characters.</summary>
    public static bool Fits(string? value, int characters) =>
        value is null || value.Length <= characters || Characters(value) <= characters;

    /// <summary>The size of <paramref name="value"/> in UTF-8 bytes (a lone surrogate as the 3 bytes of U+FFFD).</summary>
    public static int Utf8Bytes(string value) => Encoding.UTF8.GetByteCount(value);

    /// <summary>
    /// <paramref name="value"/> if it fits <paramref name="characters"/> code points, else its first characters − 1 code
    /// points and "…" (for logs); a surrogate pair is never cut in two.
    /// </summary>
    public static string Shorten(string value, int characters)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(characters, 1);
        if (Fits(value, characters)) return value;
        var end = 0;
        for (var kept = 0; kept < characters - 1; kept++)
        {
            end += char.IsHighSurrogate(value[end]) && end + 1 < value.Length && char.IsLowSurrogate(value[end + 1]) ? 2 : 1;
        }

        return value[..end] + "…";
    }
}
