using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Cutover.Core.Classification;

/// <summary>
/// Case and accent folding for keyword matching: "Maison", "MAISON", "maisón" (precomposed or "o" + U+0301) and
/// "ＭＡＩＳＯＮ" all fold to "maison". Letters and digits are kept (lower-cased, diacritics removed); everything
/// else becomes a space, so words can be found by splitting on spaces.
/// </summary>
/// <remarks>
/// <para>Each code point, in order:</para>
/// <list type="number">
/// <item>is decomposed to its compatibility decomposition (NFKD: <see cref="CompatibilityDecompositions"/>, and Hangul
/// syllables arithmetically): "é" is "e" + U+0301, "ＪＯＢ" is "JOB", "ﬁ" is "fi", "①" is "1", "𝐣𝐨𝐛" is "job";</item>
/// <item>loses its combining marks (Mn, Me) and invisible format characters (Cf: soft hyphen, zero-width space,
/// joiner and non-joiner, word joiner, byte order mark, bidi marks): they are removed, not made spaces, so
/// "car" + U+00AD + "rière" and "jo" + U+200D + "b" stay one word;</item>
/// <item>is lower-cased if a letter or a decimal digit, kept as it is if a spacing mark (Mc: the vowel signs of
/// Indic scripts, which belong to their word and tell words apart), and becomes a space otherwise.</item>
/// </list>
/// <para>
/// NFKD rather than NFKC: NFKC composes what NFKD takes apart, so "e" + U+0300 and "è" are equal under both, but
/// only after NFKD does removing the marks take the accent off: "è" and "ệ" (Vietnamese, outside Latin-1) fold
/// to "e" as "é" always did. Whatever NFKC followed by removing marks makes equal, this makes equal too.
/// </para>
/// <para>
/// The app runs with invariant globalization, where <c>string.Normalize</c> returns its input, and the hot path
/// must not allocate: so the decompositions are a generated table, and every BMP character's fold is worked out
/// once, into <see cref="Bmp"/>. The folded text is longer than the original when a character expands (U+FDFA
/// is 18 characters) and shorter when one is removed; only the folded copy is searched.
/// </para>
/// </remarks>
internal static class TextFolding
{
    /// <summary>The most characters one code point folds to (U+FDFA ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM).</summary>
    public const int MaxExpansion = 18;

    /// <summary>What <see cref="Fold(char)"/> gives for a character that folds to nothing (a combining mark, a format character).</summary>
    public const char Removed = '\uFFFE';

    /// <summary>
    /// What <see cref="Fold(char)"/> gives for a character that needs <see cref="Fold(ReadOnlySpan{char}, int, Span{char}, out int)"/>:
    /// one that folds to several characters, a Hangul syllable, or a surrogate.
    /// </summary>
    /// <remarks><see cref="Removed"/> and this are noncharacters, which fold to a space: no fold is either.</remarks>
    public const char Expands = '\uFFFF';

    private const int HangulFirst = 0xAC00;
    private const int HangulCount = 19 * 21 * 28;

    private static readonly (char[] Bmp, Dictionary<int, string> Expansions) Tables = Build();

    // The fold of every UTF-16 character: a single character, Removed or Expands.
    private static readonly char[] Bmp = Tables.Bmp;

    // The folds of the BMP characters marked Expands (Hangul syllables aside), and of every supplementary code point
    // with a decomposition; any other supplementary code point folds by its category alone.
    private static readonly Dictionary<int, string> Expansions = Tables.Expansions;

    /// <summary>The fold of one UTF-16 character: a single character, <see cref="Removed"/> or <see cref="Expands"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char Fold(char c) => Bmp[c];

    /// <summary>
    /// Folds the code point at <paramref name="index"/> (a surrogate pair is one) into <paramref name="destination"/>,
    /// which has room for <see cref="MaxExpansion"/> characters.
    /// </summary>
    /// <param name="consumed">How many characters of <paramref name="text"/> were read: 1, or 2 for a surrogate pair.</param>
    /// <returns>How many characters were written, 0 to <see cref="MaxExpansion"/>.</returns>
    public static int Fold(ReadOnlySpan<char> text, int index, Span<char> destination, out int consumed)
    {
        var folded = Bmp[text[index]];
        if (folded < Removed)
        {
            destination[0] = folded;
            consumed = 1;
            return 1;
        }

        if (folded == Removed)
        {
            consumed = 1;
            return 0;
        }

        return FoldExpanding(text, index, destination, out consumed);
    }

    /// <summary>Folds a whole text (allocates: for configured keywords and tests, not for messages).</summary>
    public static string Fold(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> buffer = stackalloc char[MaxExpansion];
        for (var i = 0; i < text.Length;)
        {
            var written = Fold(text, i, buffer, out var consumed);
            builder.Append(buffer[..written]);
            i += consumed;
        }

        return builder.ToString();
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
    public static string FoldPhrase(string phrase) =>
        string.Join(' ', Fold(phrase).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static int FoldExpanding(ReadOnlySpan<char> text, int index, Span<char> destination, out int consumed)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            consumed = 2;
            var codePoint = char.ConvertToUtf32(c, text[index + 1]);
            if (Expansions.TryGetValue(codePoint, out var expansion))
            {
                expansion.CopyTo(destination);
                return expansion.Length;
            }

            return FoldByCategory(new Rune(codePoint), destination);
        }

        consumed = 1;
        if (char.IsSurrogate(c))
        {
            // Half a pair is not text.
            destination[0] = ' ';
            return 1;
        }

        if ((uint)(c - HangulFirst) < HangulCount)
        {
            return DecomposeHangul(c, destination);
        }

        var folded = Expansions[c];
        folded.CopyTo(destination);
        return folded.Length;
    }

    /// <summary>Step 3 alone, for a code point that does not decompose.</summary>
    private static int FoldByCategory(Rune rune, Span<char> destination)
    {
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber:
                return Rune.ToLowerInvariant(rune).EncodeToUtf16(destination);
            case UnicodeCategory.SpacingCombiningMark:
                return rune.EncodeToUtf16(destination);
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format:
                return 0;
            default:
                destination[0] = ' ';
                return 1;
        }
    }

    /// <summary>A Hangul syllable's conjoining jamo, L V (T), by arithmetic (The Unicode Standard, 3.12).</summary>
    private static int DecomposeHangul(char syllable, Span<char> destination)
    {
        var index = syllable - HangulFirst;
        destination[0] = (char)(0x1100 + (index / (21 * 28)));
        destination[1] = (char)(0x1161 + (index % (21 * 28) / 28));
        if (index % 28 == 0)
        {
            return 2;
        }

        destination[2] = (char)(0x11A7 + (index % 28));
        return 3;
    }

    /// <summary>Works out every BMP character's fold, and the expansions, from the decomposition table.</summary>
    /// <remarks>
    /// Once per process, when the first keyword is folded: ~0.9 MB allocated, of which the 128 KB of <see cref="Bmp"/>
    /// and the ~3,000 expansions stay. The table is read with plain loops: generic parsers cost more in JIT than in work.
    /// </remarks>
    private static (char[] Bmp, Dictionary<int, string> Expansions) Build()
    {
        var decompositions = ReadDecompositions(CompatibilityDecompositions.Table);
        var bmp = new char[0x10000];
        var expansions = new Dictionary<int, string>(4096);

        // Step 3 alone first: right for every character that does not decompose, nor lower-cases into one that does.
        for (var c = 0; c < bmp.Length; c++)
        {
            bmp[c] = char.IsSurrogate((char)c) || (uint)(c - HangulFirst) < HangulCount ? Expands : FoldByCategory((char)c);
        }

        var decomposes = new bool[0x10000];
        foreach (var codePoint in decompositions.Keys)
        {
            decomposes[codePoint & 0xFFFF] |= codePoint <= 0xFFFF;
        }

        for (var c = 0; c < bmp.Length; c++)
        {
            var single = bmp[c];
            if (!decomposes[c] && (single >= Removed || single == c || !decomposes[single]))
            {
                continue;
            }

            var folded = FoldFully(c, decompositions);
            bmp[c] = folded.Length switch { 0 => Removed, 1 => folded[0], _ => Expands };
            if (folded.Length > 1)
            {
                expansions[c] = folded;
            }
        }

        foreach (var codePoint in decompositions.Keys)
        {
            if (codePoint > 0xFFFF)
            {
                expansions[codePoint] = FoldFully(codePoint, decompositions);
            }
        }

        return (bmp, expansions);
    }

    /// <summary>Step 3 for a BMP character that is not a surrogate: the character, lower-cased, a space or <see cref="Removed"/>.</summary>
    private static char FoldByCategory(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber => char.ToLowerInvariant(c),
        UnicodeCategory.SpacingCombiningMark => c,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format => Removed,
        _ => ' ',
    };

    /// <summary>
    /// The fold of one code point, steps 1 to 3 repeated until nothing changes (a lower-case letter may decompose
    /// where its capital did not), so that folding folded text changes nothing.
    /// </summary>
    private static string FoldFully(int codePoint, Dictionary<int, string> decompositions)
    {
        // A decomposition is at most 18 code points, two characters each: room for that, twice over.
        Span<char> text = stackalloc char[4 * MaxExpansion];
        Span<char> next = stackalloc char[4 * MaxExpansion];
        Span<char> hangul = stackalloc char[3];
        var length = new Rune(codePoint).EncodeToUtf16(text);
        for (var round = 0; round < 4; round++)
        {
            var written = 0;
            for (var i = 0; i < length;)
            {
                Rune.DecodeFromUtf16(text[i..length], out var rune, out var used);
                i += used;
                ReadOnlySpan<char> decomposed = decompositions.TryGetValue(rune.Value, out var mapped) ? mapped
                    : (uint)(rune.Value - HangulFirst) < HangulCount ? hangul[..DecomposeHangul((char)rune.Value, hangul)]
                    : text[(i - used)..i];
                for (var j = 0; j < decomposed.Length;)
                {
                    Rune.DecodeFromUtf16(decomposed[j..], out var part, out var partLength);
                    j += partLength;
                    written += FoldByCategory(part, next[written..]);
                }
            }

            if (next[..written].SequenceEqual(text[..length]))
            {
                return new string(text[..length]);
            }

            next[..written].CopyTo(text);
            length = written;
        }

        throw new InvalidOperationException($"the fold of U+{codePoint:X4} does not settle");
    }

    /// <summary>Reads the generated table: lines <c>CODE MAPPING</c> and <c>FIRST..LAST MAPPING</c>, in hexadecimal.</summary>
    private static Dictionary<int, string> ReadDecompositions(ReadOnlySpan<byte> table)
    {
        var decompositions = new Dictionary<int, string>(6000);
        Span<char> mapping = stackalloc char[4 * MaxExpansion];
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i] is (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            var first = ReadHex(table, ref i);
            var last = first;
            if (i < table.Length && table[i] == '.')
            {
                i += 2;
                last = ReadHex(table, ref i);
            }

            var length = 0;
            var target = 0;
            while (i < table.Length && table[i] == ' ')
            {
                i++;
                target = ReadHex(table, ref i);
                length += new Rune(target).EncodeToUtf16(mapping[length..]);
            }

            // Now at the line's end (or the table's).
            decompositions[first] = new string(mapping[..length]);
            for (var codePoint = first + 1; codePoint <= last; codePoint++)
            {
                decompositions[codePoint] = char.ConvertFromUtf32(target + (codePoint - first));
            }
        }

        return decompositions;
    }

    /// <summary>Reads hexadecimal digits from <paramref name="i"/> on, leaving <paramref name="i"/> at the first other byte.</summary>
    private static int ReadHex(ReadOnlySpan<byte> text, ref int i)
    {
        var value = 0;
        for (; i < text.Length; i++)
        {
            var b = text[i];
            var digit = b is >= (byte)'0' and <= (byte)'9' ? b - '0' : b is >= (byte)'A' and <= (byte)'F' ? b - 'A' + 10 : -1;
            if (digit < 0)
            {
                break;
            }

            value = (value * 16) + digit;
        }

        return value;
    }
}
