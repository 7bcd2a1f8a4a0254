using System.Text;
using System.Text.Encodings.Web;

namespace Persisters.Persistence;

/// <summary>
/// A <see cref="JavaScriptEncoder"/> that escapes only what JSON (RFC 8259 §7) requires, quotation mark, reverse solidus
/// and U+0000–U+001F, plus U+2028 and U+2029 (line terminators to JavaScript before ES2019), and writes every other
/// character as itself, supplementary-plane characters (emoji) included. A lone surrogate, which has no UTF-8 form,
/// is written as U+FFFD. The output is valid JSON in UTF-8; it is not meant to be pasted into HTML or a script
/// unescaped (<c>&lt;</c>, <c>&amp;</c> and <c>'</c> are written as they are), which nothing here does.
/// </summary>
/// <remarks>
/// System.Text.Json has no such encoder: <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> still escapes every
/// supplementary-plane character and a block list, and its maintainers point to subclassing
/// <see cref="JavaScriptEncoder"/> (dotnet/runtime issues 42847, 86463).
/// </remarks>
public sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    public static MinimalJsonEncoder Instance { get; } = new();

    private MinimalJsonEncoder()
    {
    }

    /// <summary><c>\uXXXX</c>.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar == '"' || unicodeScalar == '\\' || unicodeScalar == 0x2028 || unicodeScalar == 0x2029;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                {
                    i++;
                    continue;
                }

                return i; // a lone surrogate: written as U+FFFD
            }

            if (WillEncode(c))
            {
                return i;
            }
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        ReadOnlySpan<char> escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => default,
        };
        if (escaped.IsEmpty && WillEncode(unicodeScalar))
        {
            if (destination.Length < 6)
            {
                numberOfCharactersWritten = 0;
                return false;
            }

            "\\u".CopyTo(destination);
            ((ushort)unicodeScalar).TryFormat(destination[2..], out _, "X4");
            numberOfCharactersWritten = 6;
            return true;
        }

        if (escaped.IsEmpty)
        {
            // Not escaped: the scalar itself (a lone surrogate reaches here as U+FFFD).
            var rune = Rune.IsValid(unicodeScalar) ? new Rune(unicodeScalar) : Rune.ReplacementChar;
            return rune.TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        if (!escaped.TryCopyTo(destination))
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
