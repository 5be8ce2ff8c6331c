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
    public void Fold_Span_FoldsEveryCharacterAsFoldingItAloneDoes()
    {
        // Long enough for several eight-character blocks, with non-ASCII characters falling in some blocks and not others.
        const string Alphabet = "abcXYZ019 .,!@[`{~\u007f\u00e9\u00c0\u00df\u0130\u03a9\u0416\ud83d\ude00\u00a0-_'";
        var random = new Random(20261126);
        for (var run = 0; run < 2_000; run++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 70)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
            var folded = new char[text.Length];

            TextFolding.Fold(text, folded);

            Assert.Equal(string.Concat(text.Select(TextFolding.Fold)), new string(folded));
        }
    }

    [Fact]
    public void Fold_EveryAsciiCharacter_KeepsLettersAndDigitsOnly()
    {
        var text = new string([.. Enumerable.Range(0, 128).Select(static c => (char)c)]);
        var folded = new char[text.Length];

        TextFolding.Fold(text, folded);

        for (var c = 0; c < 128; c++)
        {
            var expected = char.IsAsciiLetterOrDigit((char)c) ? char.ToLowerInvariant((char)c) : ' ';
            Assert.True(expected == folded[c], $"U+{c:X4} folded to U+{(int)folded[c]:X4}, expected U+{(int)expected:X4}");
        }
    }
}
