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

    // Words of the default keywords (src/Cutover.Server/Configuration/CutoverDefaults.cs), en, fr and rw.
    private static readonly KeywordMatcher Defaults = KeywordMatcher.Build(
        [
            new("jobs", ["job", "career", "emploi", "carrière", "akazi"]),
            new("marketplace", ["buy", "marché", "acheter", "iduka"]),
            new("property", ["rent", "propriété", "appartement", "inzu", "real estate"]),
            new("mobility", ["taxi", "déplacement", "chauffeur", "imodoka"]),
            new("profile", ["profil", "paramètres", "mot de passe", "ijambo ry'ibanga"]),
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

    // Issue 13, item 10: each of these went to the default domain (or to none) before keyword folding normalised.
    [Theory]
    [InlineData("Je cherche une carrie\u0300re", "jobs", "carrière")]
    [InlineData("UNE CARRIE\u0300RE ?", "jobs", "carrière")]
    [InlineData("any jo\u0301b here?", "jobs", "job")]
    [InlineData("\uFF2A\uFF2F\uFF22 please", "jobs", "job")]
    [InlineData("\uFF4A\uFF4F\uFF42\uFF53", "jobs", "job")]
    [InlineData("une car\u00ADri\u00E8re", "jobs", "carrière")]
    [InlineData("ndashaka ak\u200Dazi", "jobs", "akazi")]
    [InlineData("ndashaka ak\u200Bazi", "jobs", "akazi")]
    [InlineData("mon em\u2060ploi", "jobs", "emploi")]
    [InlineData("in\uFEFFzu", "property", "inzu")]
    [InlineData("une proprie\u0301te\u0301 \u00E0 vendre", "property", "propriété")]
    [InlineData("un de\u0301placement", "mobility", "déplacement")]
    [InlineData("mes parame\u0300tres", "profile", "paramètres")]
    [InlineData("mon pro\uFB01l", "profile", "profil")]
    [InlineData("mot de pas\u00ADse", "profile", "mot de passe")]
    [InlineData("a\u0301cheter", "marketplace", "acheter")]
    [InlineData("\uD835\uDC1B\uD835\uDC2E\uD835\uDC32 now", "marketplace", "buy")]
    public void Match_DecomposedFullWidthOrInvisibleCharacters_FindTheKeyword(string text, string domain, string keyword)
    {
        var match = Defaults.Match(text);

        Assert.True(match is not null, $"'{text}' matched nothing");
        Assert.Equal(domain, match.Value.Domain);
        Assert.Equal(keyword, match.Value.Keyword);
    }

    [Fact]
    public void Match_KeywordsConfiguredDecomposedOrFullWidth_MatchPlainText()
    {
        var matcher = KeywordMatcher.Build(
            [new("jobs", ["carrie\u0300re", "\uFF2A\uFF2F\uFF22"]), new("property", ["appar\u00ADtement"])],
            out var conflicts);

        Assert.Empty(conflicts);
        Assert.Equal("carrie\u0300re", matcher.Match("une carrière")?.Keyword);
        Assert.Equal("\uFF2A\uFF2F\uFF22", matcher.Match("any jobs?")?.Keyword);
        Assert.Equal("appar\u00ADtement", matcher.Match("un appartement")?.Keyword);
    }

    [Fact]
    public void Build_SameKeywordDecomposedInAnotherDomain_ReportsConflict()
    {
        KeywordMatcher.Build([new("jobs", ["carrière"]), new("property", ["carrie\u0300re"])], out var conflicts);

        Assert.Single(conflicts);
    }

    [Fact]
    public void Match_LongMixedTextsBeyondStackBuffer_StillMatch()
    {
        // Accents, marks, invisibles and emoji throughout, past the 512-character stack buffer, keyword last.
        var filler = string.Concat(Enumerable.Repeat("d\u00E9j\u00E0 vu\u00AD, na\u0131\u0308ve \U0001F44D\u200D ", 40));
        Assert.True(filler.Length > 512);

        Assert.Equal("carrière", Defaults.Match(filler + "carrie\u0300re")?.Keyword);
        Assert.Equal("akazi", Defaults.Match(filler + "\uFF41\uFF4B\uFF41\uFF5A\uFF49")?.Keyword);
        Assert.Null(Defaults.Match(filler + "parental"));
    }

    [Theory]
    [InlineData(20)]    // folds to 360 characters: inside the stack buffer
    [InlineData(40)]    // 720: grows past the stack buffer
    [InlineData(400)]   // 7,200 from a rented buffer: grows more than once
    public void Match_TextThatFoldsLonger_GrowsAndStillMatches(int count)
    {
        // U+FDFA folds to 18 characters (four Arabic words), U+FB01 to two; the keyword comes after all of them.
        var ligatures = string.Concat(Enumerable.Repeat("\uFDFA", count)) + " \uFB01\uFB01 " + string.Concat(Enumerable.Repeat("\uFB01", count));

        Assert.Equal("carrière", Defaults.Match(ligatures + " carrie\u0300re")?.Keyword);
        Assert.Equal("mot de passe", Defaults.Match(ligatures + " mot de pas\u00ADse")?.Keyword);
        Assert.Null(Defaults.Match(ligatures + " parental"));
    }

    [Fact]
    public void Match_TextThatWouldFoldFarLonger_IsSearchedUpToTheBound()
    {
        // 7,000 of U+FDFA fold 119,000 characters longer than they are: searched to the end. 8,000 would fold 136,000
        // longer, past the bound (131,072): the fold stops there, and what follows is not searched.
        var within = new string('\uFDFA', 7_000) + " hiring";
        var beyond = new string('\uFDFA', 8_000) + " hiring";

        Assert.Equal("jobs", Matcher.Match(within)?.Domain);
        Assert.Null(Matcher.Match(beyond));
    }

    [Fact]
    public void Match_LongTextThatGrowsLittle_SearchedToItsEnd()
    {
        // The bound is on growth, not length: 320,000 characters that fold 40,000 longer.
        var text = string.Concat(Enumerable.Repeat("blah \uFB01 ", 40_000)) + "hiring";

        Assert.Equal("jobs", Matcher.Match(text)?.Domain);
    }

    [Fact]
    public void Match_NonAsciiAtEveryOffset_FoundAsAWholeWordOnly()
    {
        // Fillers that fold to nothing, to one, two or eighteen characters, or a surrogate pair that may straddle an
        // eight-character block: the keyword must be found wherever it falls, and never inside another word.
        foreach (var filler in new[] { "\u00AD", "e\u0301", "\uFB01", "\uFDFA", "\U0001F44D", "\U0001D41A", "\u200B" })
        {
            for (var offset = 0; offset < 20; offset++)
            {
                var before = string.Concat(Enumerable.Repeat(filler, offset));
                foreach (var after in new[] { "", " ok", " d\u00E9j\u00E0 vu, " + new string('z', 9) })
                {
                    var whole = before + " RE\u0301NT" + after;
                    var inside = before + "pare\u0301ntal" + after;

                    Assert.True(Matcher.Match(whole)?.Keyword == "rent", $"'{whole}' should match 'rent'");
                    Assert.True(Matcher.Match(inside) is null, $"'{inside}' should match nothing");
                }
            }
        }
    }

    [Fact]
    public void Match_InvisibleCharacterJoinsAWord_NoLongerSplitsIt()
    {
        // "parent" with a soft hyphen is still one word, not "pa" and "rent".
        Assert.Null(Matcher.Match("my pa\u00ADrent"));
        Assert.Null(Matcher.Match("my pa\u200Brent"));
    }
}
