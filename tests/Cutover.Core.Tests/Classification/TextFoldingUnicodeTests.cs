using System.Globalization;
using System.Text;
using Cutover.Core.Classification;

namespace Cutover.Core.Tests.Classification;

/// <summary>
/// Properties of the fold over all of Unicode, and against the fold it replaced (kept below as it was before
/// issue 13, item 10: one character in, one character out, through a table of Latin letters).
/// </summary>
public sealed class TextFoldingUnicodeTests
{
    [Fact]
    public void Fold_AsciiText_IsTheOldFoldCharacterForCharacter()
    {
        var all = new string([.. Enumerable.Range(0, 128).Select(static c => (char)c)]);
        Assert.Equal(OldFold(all), TextFolding.Fold(all));

        var random = new Random(20261207);
        for (var run = 0; run < 5_000; run++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 120)).Select(_ => (char)random.Next(0, 128))]);

            Assert.Equal(OldFold(text), TextFolding.Fold(text));
        }
    }

    [Fact]
    public void Fold_EveryCodePoint_IsIdempotentNoLongerThanMaxExpansionAndOnlyLettersDigitsSpacingMarksOrSpaces()
    {
        var problems = new List<string>();
        for (var cp = 0; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            var folded = TextFolding.Fold(char.ConvertFromUtf32(cp));
            if (folded.Length > TextFolding.MaxExpansion)
            {
                problems.Add($"U+{cp:X4}: folds to {folded.Length} characters, more than MaxExpansion");
            }

            if (TextFolding.Fold(folded) != folded)
            {
                problems.Add($"U+{cp:X4}: folds to {Hex(folded)}, which folds to {Hex(TextFolding.Fold(folded))}");
            }

            foreach (var rune in folded.EnumerateRunes())
            {
                if (rune.Value != ' ' && !IsKept(Rune.GetUnicodeCategory(rune)))
                {
                    problems.Add($"U+{cp:X4}: folds to {Hex(folded)}, which holds U+{rune.Value:X4} ({Rune.GetUnicodeCategory(rune)})");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(20)));
    }

    [Fact]
    public void Fold_RandomMixedText_IsIdempotent()
    {
        string[] pieces =
        [
            "a", "Z", "7", " ", ".", "\u00E9", "e\u0301", "\u0301", "\u00AD", "\u200D", "\u200B", "\uFEFF", "\uFF2A", "\uFB01",
            "\uFDFA", "\uD55C", "\u1112\u1161", "\U0001F44D", "\U0001D423", "\U00010400", "\uD800", "\uDC00", "\u0915\u093E",
            "\u3000", "\u00BD", "\u0130", "\u1E9E", "\u01C5",
        ];
        var random = new Random(7);
        for (var run = 0; run < 5_000; run++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]));

            var folded = TextFolding.Fold(text);

            Assert.True(TextFolding.Fold(folded) == folded, $"{Hex(text)} folds to {Hex(folded)}, which folds further");
        }
    }

    [Fact]
    public void MaxExpansion_IsTheFoldOfTheLongestLigature()
    {
        // That no code point folds longer is checked with every code point above.
        Assert.Equal(TextFolding.MaxExpansion, TextFolding.Fold("\uFDFA").Length);
    }

    [Fact]
    public void Fold_LatinLetters_AsTheOldTableExceptCompatibilityForms()
    {
        // The old table was made from canonical decompositions only; these have compatibility ones.
        var changed = new Dictionary<int, string>
        {
            [0x0132] = "ij", [0x0133] = "ij", [0x013F] = "l ", [0x0140] = "l ", [0x0149] = "\u02BCn", [0x017F] = "s",
            [0x01C4] = "dz", [0x01C5] = "dz", [0x01C6] = "dz", [0x01C7] = "lj", [0x01C8] = "lj", [0x01C9] = "lj",
            [0x01CA] = "nj", [0x01CB] = "nj", [0x01CC] = "nj", [0x01F1] = "dz", [0x01F2] = "dz", [0x01F3] = "dz",
        };

        for (var c = 0x00C0; c <= 0x024F; c++)
        {
            var expected = changed.TryGetValue(c, out var compatibility) ? compatibility : OldFold(((char)c).ToString());

            Assert.True(expected == TextFolding.Fold(((char)c).ToString()), $"U+{c:X4} folds to {Hex(TextFolding.Fold(((char)c).ToString()))}, expected {Hex(expected)}");
        }
    }

    [Theory]
    [InlineData('a', 'a')]
    [InlineData('Q', 'q')]
    [InlineData('-', ' ')]
    [InlineData('\u00E9', 'e')]
    [InlineData('\u0416', '\u0436')]
    [InlineData('\uFF2A', 'j')]
    [InlineData('\u0301', TextFolding.Removed)]
    [InlineData('\u00AD', TextFolding.Removed)]
    [InlineData('\u200D', TextFolding.Removed)]
    [InlineData('\uFB01', TextFolding.Expands)]
    [InlineData('\uD55C', TextFolding.Expands)]
    [InlineData('\uD83D', TextFolding.Expands)]
    [InlineData('\uFFFE', ' ')]
    [InlineData('\uFFFF', ' ')]
    public void Fold_OneCharacter_GivesItsFoldOrAMarker(char c, char expected)
    {
        Assert.Equal(expected, TextFolding.Fold(c));
    }

    [Fact]
    public void Fold_HangulSyllable_IsItsJamo()
    {
        // 한 (HAN) is HIEUH + A + NIEUN, 가 (GA) has no final consonant (The Unicode Standard, 3.12).
        Assert.Equal("\u1112\u1161\u11AB\u1100\u1161", TextFolding.Fold("\uD55C\uAC00"));
    }

    private static bool IsKept(UnicodeCategory category) => category is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
        or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.SpacingCombiningMark;

    private static string Hex(string text) => string.Join(' ', text.EnumerateRunes().Select(static r => $"U+{r.Value:X4}"));

    // The fold before issue 13 (TextFolding.Fold(char) at 38916f8), to compare with.
    private const string OldLatinTable =
        "aaaaaa\u00e6ceeeeiiii\u00f0nooooo \u00f8uuuuy\u00fe\u00df" +
        "aaaaaa\u00e6ceeeeiiii\u00f0nooooo \u00f8uuuuy\u00fey" +
        "aaaaaaccccccccdd\u0111\u0111eeeeeeeeeegggg" +
        "gggghh\u0127\u0127iiiiiiiii\u0131\u0133\u0133jjkk\u0138llllll\u0140" +
        "\u0140\u0142\u0142nnnnnn\u0149\u014b\u014boooooo\u0153\u0153rrrrrrssssss" +
        "sstttt\u0167\u0167uuuuuuuuuuuuwwyyyzzzzzz\u017f" +
        "\u0180\u0253\u0183\u0183\u0185\u0185\u0254\u0188\u0188\u0256\u0257\u018c\u018c\u018d\u01dd\u0259\u025b\u0192\u0192\u0260\u0263\u0195\u0269\u0268\u0199\u0199\u019a\u019b\u026f\u0272\u019e\u0275" +
        "oo\u01a3\u01a3\u01a5\u01a5\u0280\u01a8\u01a8\u0283\u01aa\u01ab\u01ad\u01ad\u0288uu\u028a\u028b\u01b4\u01b4\u01b6\u01b6\u0292\u01b9\u01b9\u01ba\u01bb\u01bd\u01bd\u01be\u01bf" +
        "\u01c0\u01c1\u01c2\u01c3\u01c6\u01c6\u01c6\u01c9\u01c9\u01c9\u01cc\u01cc\u01ccaaiioouuuuuuuuuu\u01ddaa" +
        "aa\u00e6\u00e6\u01e5\u01e5ggkkoooo\u0292\u0292j\u01f3\u01f3\u01f3gg\u0195\u01bfnnaa\u00e6\u00e6\u00f8\u00f8" +
        "aaaaeeeeiiiioooorrrruuuusstt\u021d\u021dhh" +
        "\u019e\u0221\u0223\u0223\u0225\u0225aaeeooooooooyy\u0234\u0235\u0236\u0237\u0238\u0239\u2c65\u023c\u023c\u019a\u2c66\u023f" +
        "\u0240\u0242\u0242\u0180\u0289\u028c\u0247\u0247\u0249\u0249\u024b\u024b\u024d\u024d\u024f\u024f";

    private static string OldFold(string text) => new([.. text.Select(static c => c switch
    {
        < (char)0x80 => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ',
        >= (char)0x00C0 and <= (char)0x024F => OldLatinTable[c - 0x00C0],
        _ => char.IsSurrogate(c) || !char.IsLetterOrDigit(c) ? ' ' : char.ToLowerInvariant(c),
    })]);
}
