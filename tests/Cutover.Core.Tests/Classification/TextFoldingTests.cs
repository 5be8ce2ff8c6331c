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
    public void FoldPhrase_CaseAndAccents_FoldToPlainWords(string input, string expected)
    {
        Assert.Equal(expected, TextFolding.FoldPhrase(input));
    }

    [Fact]
    public void Fold_EmojiAndPunctuation_BecomeSpaces()
    {
        var text = "job👍!";
        var folded = new char[text.Length];

        TextFolding.Fold(text, folded);

        Assert.Equal("job" + new string(' ', text.Length - 3), new string(folded));
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
