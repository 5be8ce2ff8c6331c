using System.Text.Json;
using Cutover.Cli.Output;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Tests.Output;

public sealed class RenderTests
{
    [Theory]
    [InlineData("""{"percent":10}""", """{"percent":25}""", "percent 10.00% → 25.00%")]
    [InlineData("""{"domain":"jobs","percent":null}""", """{"domain":"jobs","percent":35}""", "jobs percent global → 35.00%")]
    [InlineData("""{"domain":"property","routable":true}""", """{"domain":"property","routable":false}""", "property routable true → false")]
    [InlineData("""{"user":"h:ab12","route":null,"domain":null}""", """{"user":"h:ab12","route":"unified","domain":null}""", "h:ab12 route none → unified")]
    [InlineData("""{"user":"h:ab12","route":"unified","domain":null}""", """{"user":"h:ab12","route":"unified","domain":"jobs"}""", "h:ab12 domain none → jobs")]
    public void Change_NamesItsSubjectThenWhatMoved(string before, string after, string expected)
    {
        var e = new HistoryEvent(1, DateTimeOffset.UnixEpoch, "x", "alice", "why", JsonDocument.Parse(before).RootElement, JsonDocument.Parse(after).RootElement);

        Assert.Equal(expected, Render.Change(e));
    }

    [Theory]
    [InlineData("5.14:00:00", "134 h (5 d 14 h)")]
    [InlineData("2.00:00:00", "48 h (2 d)")]
    [InlineData("1.00:30:00", "24 h 30 min (1 d 30 min)")]
    [InlineData("06:00:00", "6 h")]
    [InlineData("04:15:00", "4 h 15 min")]
    [InlineData("00:02:00", "2 min")]
    [InlineData("00:00:30", "30 s")]
    [InlineData("not a span", "not a span")]
    public void Span_ReadsAsHoursAndDays(string value, string expected)
    {
        Assert.Equal(expected, RolloutRender.Span(value));
    }
}
