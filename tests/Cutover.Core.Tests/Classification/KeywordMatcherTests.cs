using Cutover.Core.Classification;

namespace Cutover.Core.Tests.Classification;

public sealed class KeywordMatcherTests
{
    private static readonly KeywordMatcher Matcher = KeywordMatcher.Build(
        [
            new("jobs", ["job", "hiring", "apply", "emploi", "carrière"]),
            new("property", ["rent", "apartment", "house", "maison", "real estate"]),
            new("marketplace", ["buy", "order", "shop"]),
        ],
        out _);

    [Theory]
    [InlineData("current")]
    [InlineData("my parent is here")]
    [InlineData("something different")]
    [InlineData("happy birthday")]
    [InlineData("at the border")]
    [InlineData("reorder the list")]
    [InlineData("shopping")]
    [InlineData("")]
    public void Match_WordsThatOnlyContainAKeyword_HitNothing(string text)
    {
        Assert.Null(Matcher.Match(text));
    }

    [Theory]
    [InlineData("I want to RENT a place", "property", "rent")]
    [InlineData("Je cherche une MAISÓN", "property", "maison")]
    [InlineData("any apartments?", "property", "apartment")]
    [InlineData("looking for real   estate agents", "property", "real estate")]
    [InlineData("Une CARRIERE dans la banque", "jobs", "carrière")]
    [InlineData("order #1234, please", "marketplace", "order")]
    [InlineData("jobs!!!", "jobs", "job")]
    public void Match_WholeWordsFolded_FindsDomainAndKeyword(string text, string domain, string keyword)
    {
        var match = Matcher.Match(text);

        Assert.NotNull(match);
        Assert.Equal(domain, match.Value.Domain);
        Assert.Equal(keyword, match.Value.Keyword);
    }

    [Fact]
    public void Match_SeveralDomains_MostHitsWins()
    {
        var match = Matcher.Match("buy a house: an apartment or a house to rent");

        Assert.Equal("property", match?.Domain);
    }

    [Fact]
    public void Match_TiedDomains_FirstKeywordWins()
    {
        Assert.Equal("marketplace", Matcher.Match("buy, then apply")?.Domain);
        Assert.Equal("jobs", Matcher.Match("apply, then buy")?.Domain);
    }

    [Fact]
    public void Match_LongTextBeyondStackBuffer_StillMatches()
    {
        var text = string.Concat(Enumerable.Repeat("blah ", 400)) + "hiring";

        Assert.Equal("jobs", Matcher.Match(text)?.Domain);
    }

    [Fact]
    public void Build_SameKeywordInTwoDomains_ReportsConflict()
    {
        KeywordMatcher.Build([new("jobs", ["work"]), new("property", ["WORK"])], out var conflicts);

        var conflict = Assert.Single(conflicts);
        Assert.Contains("'WORK'", conflict);
        Assert.Contains("jobs", conflict);
        Assert.Contains("property", conflict);
    }

    [Fact]
    public void Match_KeywordAtEveryOffset_FoundAsAWholeWordOnly()
    {
        // Text is folded and split eight characters at a time: a keyword must be found wherever it falls in a block,
        // across a block's end, in the scalar tail, and next to non-ASCII characters that take the slow path.
        foreach (var filler in new[] { "x", "é", " " })
        {
            for (var offset = 0; offset < 20; offset++)
            {
                var before = string.Concat(Enumerable.Repeat(filler, offset));
                foreach (var after in new[] { "", " ok", " déjà vu, " + new string('z', 9) })
                {
                    var whole = before.Length == 0 || filler == " " ? before + "RENT" + after : before + " RENT" + after;
                    var inside = before + "parental" + after;

                    Assert.True(Matcher.Match(whole)?.Keyword == "rent", $"'{whole}' should match 'rent'");
                    Assert.True(Matcher.Match(inside) is null, $"'{inside}' should match nothing");
                }
            }
        }
    }

    [Fact]
    public void Match_PhraseAcrossBlocks_Found()
    {
        for (var offset = 0; offset < 16; offset++)
        {
            var text = new string('q', offset) + " real    estate agents";

            Assert.Equal("real estate", Matcher.Match(text)?.Keyword);
        }
    }
}
