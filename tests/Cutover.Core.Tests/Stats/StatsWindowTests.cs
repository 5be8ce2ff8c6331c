using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Stats;

public sealed class StatsWindowTests
{
    [Theory]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("24h", 86_400)]
    [InlineData("7d", 7 * 86_400)]
    [InlineData(" 90s ", 90)]
    [InlineData("90d", 90 * 86_400)]
    [InlineData("2H", 7200)]
    public void TryParse_CountAndUnit_IsThatLong(string text, long seconds)
    {
        Assert.True(StatsWindow.TryParse(text, out var window, out var problem), problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), window);
    }

    [Theory]
    [InlineData("", "not a window")]
    [InlineData(null, "not a window")]
    [InlineData("h", "not a window")]
    [InlineData("1", "not a window")]
    [InlineData("-1h", "not a window")]
    [InlineData("1.5h", "not a window")]
    [InlineData("3w", "unknown unit")]
    [InlineData("30s", "outside 1m to 90d")]
    [InlineData("91d", "outside 1m to 90d")]
    [InlineData("99999999999999999999d", "not a window")]
    [InlineData("9223372036854775807d", "outside 1m to 90d")]
    public void TryParse_Nonsense_NamesTheProblem(string? text, string expected)
    {
        Assert.False(StatsWindow.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem);
    }

    [Theory]
    [InlineData(90, "90s")]
    [InlineData(900, "15m")]
    [InlineData(3600, "1h")]
    [InlineData(86_400, "24h")]
    [InlineData(7 * 86_400, "7d")]
    public void Format_WritesItBackShort(long seconds, string expected) =>
        Assert.Equal(expected, StatsWindow.Format(TimeSpan.FromSeconds(seconds)));
}
