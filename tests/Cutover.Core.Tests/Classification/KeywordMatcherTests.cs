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
}
