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
}
