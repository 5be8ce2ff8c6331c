using System.Runtime.Intrinsics;

namespace Cutover.Core.Classification;

/// <summary>
/// Case and accent folding for keyword matching: "Maison", "MAISON" and "maisón" all fold to
/// "maison". Letters and digits are kept (lower-cased, diacritics removed); everything else
/// becomes a space, so words can be found by splitting on spaces.
/// </summary>
/// <remarks>
/// The Latin table is precomputed (from Unicode NFD decompositions) instead of calling
/// <c>string.Normalize</c>: the app runs with invariant globalization and the hot path must not
/// allocate.
/// </remarks>
internal static class TextFolding
{
    private const int LatinTableStart = 0x00C0;

    // Folded form of U+00C0..U+024F; a space marks a character that is not a letter or digit.
    private const string LatinTable =
        "aaaaaa\u00e6ceeeeiiii\u00f0nooooo \u00f8uuuuy\u00fe\u00df" +  // from U+00C0
        "aaaaaa\u00e6ceeeeiiii\u00f0nooooo \u00f8uuuuy\u00fey" +  // from U+00E0
        "aaaaaaccccccccdd\u0111\u0111eeeeeeeeeegggg" +  // from U+0100
        "gggghh\u0127\u0127iiiiiiiii\u0131\u0133\u0133jjkk\u0138llllll\u0140" +  // from U+0120
        "\u0140\u0142\u0142nnnnnn\u0149\u014b\u014boooooo\u0153\u0153rrrrrrssssss" +  // from U+0140
        "sstttt\u0167\u0167uuuuuuuuuuuuwwyyyzzzzzz\u017f" +  // from U+0160
        "\u0180\u0253\u0183\u0183\u0185\u0185\u0254\u0188\u0188\u0256\u0257\u018c\u018c\u018d\u01dd\u0259\u025b\u0192\u0192\u0260\u0263\u0195\u0269\u0268\u0199\u0199\u019a\u019b\u026f\u0272\u019e\u0275" +  // from U+0180
        "oo\u01a3\u01a3\u01a5\u01a5\u0280\u01a8\u01a8\u0283\u01aa\u01ab\u01ad\u01ad\u0288uu\u028a\u028b\u01b4\u01b4\u01b6\u01b6\u0292\u01b9\u01b9\u01ba\u01bb\u01bd\u01bd\u01be\u01bf" +  // from U+01A0
        "\u01c0\u01c1\u01c2\u01c3\u01c6\u01c6\u01c6\u01c9\u01c9\u01c9\u01cc\u01cc\u01ccaaiioouuuuuuuuuu\u01ddaa" +  // from U+01C0
        "aa\u00e6\u00e6\u01e5\u01e5ggkkoooo\u0292\u0292j\u01f3\u01f3\u01f3gg\u0195\u01bfnnaa\u00e6\u00e6\u00f8\u00f8" +  // from U+01E0
        "aaaaeeeeiiiioooorrrruuuusstt\u021d\u021dhh" +  // from U+0200
        "\u019e\u0221\u0223\u0223\u0225\u0225aaeeooooooooyy\u0234\u0235\u0236\u0237\u0238\u0239\u2c65\u023c\u023c\u019a\u2c66\u023f" +  // from U+0220
        "\u0240\u0242\u0242\u0180\u0289\u028c\u0247\u0247\u0249\u0249\u024b\u024b\u024d\u024d\u024f\u024f";  // from U+0240

    // Folded form of U+0000..U+007F, the bulk of most messages: one load instead of three comparisons.
    private static readonly char[] AsciiTable = [.. Enumerable.Range(0, 0x80).Select(static c =>
        char.IsAsciiLetterOrDigit((char)c) ? char.ToLowerInvariant((char)c) : ' ')];

    public static char Fold(char c)
    {
        if (c < 0x80)
        {
            return AsciiTable[c];
        }

        var index = c - LatinTableStart;
        if ((uint)index < (uint)LatinTable.Length)
        {
            return LatinTable[index];
        }

        if (char.IsSurrogate(c) || !char.IsLetterOrDigit(c))
        {
            return ' ';
        }

        return char.ToLowerInvariant(c);
    }

    /// <summary>Folds <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Fold(ReadOnlySpan<char> source, Span<char> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = Fold(source[i]);
        }
    }

    /// <summary>
    /// Folds eight characters at once when all are ASCII (as <see cref="Fold(char)"/> would, one by one): a message's
    /// text is mostly ASCII, and folding it a character at a time was the costliest step of classifying a text message.
    /// </summary>
    /// <param name="kept">Bit <c>j</c> set when character <c>j</c> is a letter or a digit (not folded to a space).</param>
    /// <returns>False, with nothing folded, when one of the characters is not ASCII.</returns>
    public static bool TryFoldAscii(Vector128<ushort> chars, out Vector128<ushort> folded, out uint kept)
    {
        if ((chars & Vector128.Create((ushort)0xFF80)) != Vector128<ushort>.Zero)
        {
            folded = default;
            kept = 0;
            return false;
        }

        // Setting bit 0x20 lower-cases an ASCII letter and leaves a lower-case one as it is.
        var lower = chars | Vector128.Create((ushort)0x20);
        var letter = Vector128.LessThanOrEqual(lower - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a')));
        var digit = Vector128.LessThanOrEqual(chars - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));
        folded = Vector128.ConditionalSelect(letter, lower, Vector128.ConditionalSelect(digit, chars, Vector128.Create((ushort)' ')));
        kept = (letter | digit).ExtractMostSignificantBits();
        return true;
    }

    /// <summary>Folds a configured keyword into its words, joined by single spaces.</summary>
    public static string FoldPhrase(string phrase)
    {
        var buffer = new char[phrase.Length];
        Fold(phrase, buffer);
        return string.Join(' ', new string(buffer).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
