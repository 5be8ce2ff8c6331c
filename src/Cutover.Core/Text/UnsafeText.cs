using System.Buffers;
using System.Globalization;

namespace Cutover.Core.Text;

/// <summary>
/// The characters that must not reach a terminal or a one-line record from outside: every control character
/// (Unicode category Cc: C0 including CR, LF, NUL and the ESC that starts ANSI and OSC sequences, DEL, C1),
/// the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a reader
/// sees, and the line and paragraph separators (U+2028, U+2029) that some viewers break lines on.
/// </summary>
/// <remarks>One list, used to refuse such characters in reasons and to escape them in console log lines.</remarks>
public static class UnsafeText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(Build());

    public static bool IsUnsafe(char c) => Unsafe.Contains(c);

    /// <summary>The index of the first unsafe character, or -1 (vectorised: cheap on the common, clean text).</summary>
    public static int IndexOfUnsafe(ReadOnlySpan<char> text) => text.IndexOfAny(Unsafe);

    /// <summary>What kind of character it is, with its code point: <c>a control character (U+001B)</c>.</summary>
    public static string Describe(char c)
    {
        var kind = c switch
        {
            '\u2028' => "a line separator",
            '\u2029' => "a paragraph separator",
            >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' => "a bidirectional control character",
            _ => "a control character",
        };
        return $"{kind} (U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)})";
    }

    /// <summary>
    /// <paramref name="text"/> made fit to show on one line of a terminal or in a message that quotes what a stranger
    /// typed: each unsafe character as '?', cut to <paramref name="max"/> characters with an ellipsis.
    /// </summary>
    public static string Sanitize(string text, int max = 64)
    {
        var cut = text.Length <= max ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[max - 1]) ? max - 1 : max), "…");
        return IndexOfUnsafe(cut) < 0 ? cut : string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsUnsafe(source[i]) ? '?' : source[i];
            }
        });
    }

    private static string Build()
    {
        var chars = new List<char>();
        for (var c = '\0'; c < '\u00A0'; c++)
        {
            if (char.IsControl(c))
            {
                chars.Add(c);
            }
        }

        for (var c = '\u202A'; c <= '\u202E'; c++)
        {
            chars.Add(c);
        }

        for (var c = '\u2066'; c <= '\u2069'; c++)
        {
            chars.Add(c);
        }

        chars.Add('\u2028');
        chars.Add('\u2029');
        return new string([.. chars]);
    }
}
