using System.Runtime.Intrinsics;
using Cutover.Core.Classification;

namespace Cutover.Core.Tests.Classification;

public sealed class TextFoldingTests
{
    [Theory]
    [InlineData("Déplacement", "deplacement")]
    [InlineData("ÇA VA", "ca va")]
    [InlineData("propriété", "propriete")]
    [InlineData("naïve-Zoë", "naive zoe")]
    [InlineData("ijambo ry'ibanga", "ijambo ry ibanga")]
    [InlineData("Straße", "straße")]
    [InlineData("mot\u00A0de\u3000passe", "mot de passe")]
    [InlineData("real\u00A0\u00ADestate", "real estate")]
    public void FoldPhrase_CaseAndAccents_FoldToPlainWords(string input, string expected)
    {
        Assert.Equal(expected, TextFolding.FoldPhrase(input));
    }

    [Fact]
    public void FoldPhrase_EmojiAndPunctuation_SplitWords()
    {
        Assert.Equal("job now", TextFolding.FoldPhrase("job👍!now"));
    }

    // Issue 13, item 10: what folded to other words (or split them) before normalisation.
    [Theory]
    [InlineData("carrie\u0300re", "carriere")]              // e + combining grave: decomposed as macOS and some keyboards send it
    [InlineData("CARRIE\u0300RE", "carriere")]
    [InlineData("jo\u0301b", "job")]                         // a combining mark on an ASCII letter
    [InlineData("pa\u0301rame\u0300tres", "parametres")]
    [InlineData("\uFF2A\uFF2F\uFF22", "job")]                // full-width JOB
    [InlineData("\uFF4A\uFF4F\uFF42\uFF53", "jobs")]         // full-width jobs
    [InlineData("car\u00ADri\u00E8re", "carriere")]          // soft hyphen inside the word
    [InlineData("ak\u200Dazi", "akazi")]                     // zero-width joiner
    [InlineData("ak\u200Cazi", "akazi")]                     // zero-width non-joiner
    [InlineData("ak\u200Bazi", "akazi")]                     // zero-width space
    [InlineData("em\u2060ploi", "emploi")]                   // word joiner
    [InlineData("in\uFEFFzu", "inzu")]                        // byte order mark
    [InlineData("lo\u200Fyer\u202E", "loyer")]               // bidi marks
    [InlineData("pro\uFB01l", "profil")]                     // the fi ligature
    [InlineData("\uD835\uDC23\uD835\uDC28\uD835\uDC1B", "job")] // mathematical bold, as "fancy text" generators write it
    [InlineData("vi\u1EC7c", "viec")]                        // Vietnamese: accents beyond Latin Extended-B
    [InlineData("\u2460 \u00BD", "1 1 2")]                   // circled one; one half is 1, fraction slash, 2
    public void FoldPhrase_CompatibilityFormsMarksAndInvisibles_FoldToPlainWords(string input, string expected)
    {
        Assert.Equal(expected, TextFolding.FoldPhrase(input));
    }

    [Fact]
    public void FoldPhrase_DecomposedAndPrecomposed_FoldAlike()
    {
        // Every Latin letter with accents, precomposed against its base letter followed by the combining marks.
        (string Precomposed, string Decomposed)[] pairs =
        [
            ("\u00E9", "e\u0301"), ("\u00C8", "E\u0300"), ("\u00EA", "e\u0302"), ("\u00EB", "e\u0308"), ("\u00E7", "c\u0327"),
            ("\u00F1", "n\u0303"), ("\u1EC7", "e\u0323\u0302"), ("\u1EC7", "e\u0302\u0323"), ("\u01D6", "u\u0308\u0304"),
            ("\u0390", "\u03B9\u0308\u0301"), ("\u0439", "\u0438\u0306"), ("\uD55C", "\u1112\u1161\u11AB"),
        ];

        foreach (var (precomposed, decomposed) in pairs)
        {
            Assert.Equal(TextFolding.FoldPhrase("x" + precomposed + "y"), TextFolding.FoldPhrase("x" + decomposed + "y"));
        }
    }

    [Fact]
    public void FoldPhrase_SurrogatePairs_NeitherBreakNorSplitLetters()
    {
        // A supplementary letter (Deseret capital long I) is a letter: lower-cased, kept in its word.
        Assert.Equal("a\U00010428b", TextFolding.FoldPhrase("a\U00010400b"));

        // Emoji, with skin tones, joiners and variation selectors, are not words.
        Assert.Equal("hi there", TextFolding.FoldPhrase("hi\U0001F468\U0001F3FD\u200D\U0001F469\u200D\U0001F467\u2764\uFE0Fthere"));

        // Halves of pairs are not text: a space, never an exception.
        Assert.Equal("a b c", TextFolding.FoldPhrase("a\uD800b\uDC00c\uD83D"));
    }

    [Fact]
    public void TryFoldAscii_RandomBlocks_FoldAsFoldingEachCharacterDoes()
    {
        // Blocks of eight, some all ASCII and some with a non-ASCII character in any lane.
        const string Alphabet = "abcXYZ019 .,!@[`{~\u007f\u00e9\u00c0\u00df\u0130\u03a9\u0416\ud83d\ude00\u00a0-_'";
        var random = new Random(20261126);
        for (var run = 0; run < 2_000; run++)
        {
            var block = new string([.. Enumerable.Range(0, 8).Select(_ => Alphabet[random.Next(run % 2 == 0 ? 16 : Alphabet.Length)])]);

            var folded = TryFold(block, out var kept);

            if (block.Any(static c => c >= 0x80))
            {
                Assert.True(folded is null, $"'{block}' has a non-ASCII character and must be left to the per-character fold");
                continue;
            }

            Assert.Equal(string.Concat(block.Select(TextFolding.Fold)), folded);
            Assert.Equal(Mask(block), kept);
        }
    }

    [Fact]
    public void TryFoldAscii_EveryAsciiCharacterInEveryLane_KeepsLettersAndDigitsOnly()
    {
        for (var c = 0; c < 128; c++)
        {
            for (var lane = 0; lane < 8; lane++)
            {
                var block = new string('a', lane) + (char)c + new string('a', 7 - lane);

                var folded = TryFold(block, out var kept);

                var expected = char.IsAsciiLetterOrDigit((char)c) ? char.ToLowerInvariant((char)c) : ' ';
                Assert.True(folded is not null && expected == folded[lane],
                    $"U+{c:X4} in lane {lane} folded to {(folded is null ? "nothing" : $"U+{(int)folded[lane]:X4}")}, expected U+{(int)expected:X4}");
                Assert.Equal(expected != ' ', (kept & (1u << lane)) != 0);
            }
        }
    }

    private static string? TryFold(string block, out uint kept)
    {
        var chars = Vector128.Create([.. block.Select(static c => (ushort)c)]);
        if (!TextFolding.TryFoldAscii(chars, out var folded, out kept))
        {
            return null;
        }

        return new string([.. Enumerable.Range(0, 8).Select(i => (char)folded[i])]);
    }

    private static uint Mask(string block) =>
        (uint)Enumerable.Range(0, block.Length).Where(i => TextFolding.Fold(block[i]) != ' ').Sum(static i => 1 << i);
}
