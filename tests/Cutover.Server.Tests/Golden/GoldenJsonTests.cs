using Cutover.Testing.Golden;

namespace Cutover.Server.Tests.Golden;

/// <summary>
/// The golden comparison and scrubber themselves: a golden test is only as honest as these, so each kind of change the
/// golden files must catch (a field renamed, removed, added or moved, a value or its decimal scale changed) is shown to
/// be caught, and the scrubber is shown to replace only what it names, and only in the shape it expects.
/// </summary>
public sealed class GoldenJsonTests
{
    private const string Expected = """{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""";

    [Theory]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""", null)]
    [InlineData("""{"enabled":true,"percentage":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$: property #2 expected \"percent\", actual \"percentage\"")]
    [InlineData("""{"enabled":true,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$: property #2 expected \"percent\", actual \"domains\"")]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null,"extra":1}""",
        "$: property #6 expected no more properties, actual \"extra\"")]
    [InlineData("""{"percent":10.00,"enabled":true,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$: property #1 expected \"enabled\", actual \"percent\"")]
    [InlineData("""{"enabled":true,"percent":10,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$.percent: expected 10.00, actual 10")]
    [InlineData("""{"enabled":false,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$.enabled: expected true, actual false")]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":"35"}},"events":[{"id":1},{"id":2}],"note":null}""",
        "$.domains.jobs.percent: expected 35, actual \"35\"")]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1}],"note":null}""",
        "$.events: expected 2 items, actual 1; the first missing one is {\"id\":2}")]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":3}],"note":null}""",
        "$.events[1].id: expected 2, actual 3")]
    [InlineData("""{"enabled":true,"percent":10.00,"domains":{"jobs":{"percent":35}},"events":[{"id":1},{"id":2}],"note":"paused"}""",
        "$.note: expected null, actual \"paused\"")]
    public void FirstDifference_EachKindOfChange_NamedWithItsPath(string actual, string? difference)
    {
        var found = GoldenJson.FirstDifference(GoldenJson.Parse(Expected, "expected"), GoldenJson.Parse(actual, "actual"));

        if (difference is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.NotNull(found);
            Assert.StartsWith(difference, found);
        }
    }

    [Fact]
    public void FirstDifference_LongSentences_ShowsWhereTheyPart()
    {
        var sentence = new string('a', 400);

        var found = GoldenJson.FirstDifference(GoldenJson.Parse($"\"{sentence}b\"", "expected"), GoldenJson.Parse($"\"{sentence}c\"", "actual"));

        Assert.StartsWith("$: differs from character 401:", found);
    }

    [Fact]
    public void Scrub_NamedPaths_ReplacedOthersKept()
    {
        var node = GoldenJson.Parse("""
            {"instance":"host-1234-0a1b2c","store":{"provider":"sqlite","location":"/tmp/cutover-test-x/cutover.db"},
             "status":{"instance":{"id":"host-1234-0a1b2c","leader":true},"server_version":"0.1.0"},
             "location":"/tmp/cutover-test-x/cutover.db","correlation_id":null,"id":"host-1234-0a1b2c"}
            """, "answer");

        GoldenScrubber.Default.Scrub(node);

        var expected = GoldenJson.Parse("""
            {"instance":"<instance-id>","store":{"provider":"sqlite","location":"<store-location>"},
             "status":{"instance":{"id":"<instance-id>","leader":true},"server_version":"<server-version>"},
             "location":"/tmp/cutover-test-x/cutover.db","correlation_id":null,"id":"host-1234-0a1b2c"}
            """, "expected");
        Assert.Null(GoldenJson.FirstDifference(expected, node));
    }

    [Theory]
    [InlineData("""{"server_version":"0.1"}""", "$.server_version: '0.1' is not <server-version>")]
    [InlineData("""{"instance":{"id":"host"}}""", "$.instance.id: 'host' is not <instance-id>")]
    [InlineData("""{"correlation_id":"not-a-uuid"}""", "$.correlation_id: 'not-a-uuid' is not <correlation-id>")]
    public void Scrub_AValueOfAnotherShape_FailsRatherThanHidingIt(string json, string problem)
    {
        var node = GoldenJson.Parse(json, "answer");

        var ex = Assert.ThrowsAny<Exception>(() => GoldenScrubber.Default.Scrub(node));

        Assert.Contains(problem, ex.Message);
    }
}
