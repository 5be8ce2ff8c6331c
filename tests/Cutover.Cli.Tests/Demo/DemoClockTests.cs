using System.Diagnostics;
using Cutover.Cli.Demo;

namespace Cutover.Cli.Tests.Demo;

public sealed class DemoClockTests
{
    [Fact]
    public void Advance_MovesTheWallClockOnly_TimestampsStayReal()
    {
        var clock = new DemoClock();
        var timestamp = clock.GetTimestamp();

        clock.Advance(TimeSpan.FromHours(134));

        Assert.InRange(clock.GetUtcNow() - TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(134) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(134) + TimeSpan.FromMinutes(1));
        Assert.Equal(Stopwatch.Frequency, clock.TimestampFrequency);
        Assert.True(clock.GetElapsedTime(timestamp) < TimeSpan.FromMinutes(1), "an upstream's latency must be measured in real time");
    }

    [Fact]
    public void Advance_Backwards_Refused()
    {
        var clock = new DemoClock();

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
    }
}
