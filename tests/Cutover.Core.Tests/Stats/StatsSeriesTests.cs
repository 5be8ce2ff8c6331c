using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Stats;

/// <summary>The dashboard's per-minute series: one point per minute, empty minutes too, each route on its own.</summary>
public sealed class StatsSeriesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static RollupRow Row(int minute, Route route, long requests, long errors, params double[] latencies)
    {
        var sketch = new LatencySketch();
        foreach (var l in latencies)
        {
            sketch.Add(l);
        }

        var at = Start.AddMinutes(minute).ToUnixTimeMilliseconds();
        return new RollupRow(at, "jobs", route, Rollups.NoHandler, requests, errors, 0, at, sketch.ToBytes());
    }

    [Fact]
    public void Compute_MinutesWithAndWithoutRows_OnePointPerMinuteZeroFilled()
    {
        // now is 10:04:30: the minutes 10:00 to 10:04, the last one unfinished
        var points = StatsSeries.Compute([Row(1, Route.Unified, 4, 1, 10, 20, 30, 40)], Start, Start.AddMinutes(4.5));

        Assert.Equal(5, points.Count);
        Assert.Equal(Start, points[0].At);
        Assert.Equal(Start.AddMinutes(4), points[^1].At);
        Assert.Equal(SeriesFigures.Empty, points[0].Unified);
        Assert.Equal(4, points[1].Unified.Requests);
        Assert.Equal(25.0, points[1].Unified.ErrorRatePct);
        Assert.NotNull(points[1].Unified.P95Ms);
        Assert.Equal(SeriesFigures.Empty, points[1].Legacy);
    }

    [Fact]
    public void Compute_RowsOfOneMinuteAndRoute_MergedAcrossDomains()
    {
        var other = Row(2, Route.Legacy, 6, 0, 5, 5, 5) with { Domain = "marketplace" };

        var points = StatsSeries.Compute([Row(2, Route.Legacy, 4, 2, 5), other], Start, Start.AddMinutes(3));

        Assert.Equal(10, points[2].Legacy.Requests);
        Assert.Equal(2, points[2].Legacy.Errors);
        Assert.Equal(20.0, points[2].Legacy.ErrorRatePct);
    }

    [Fact]
    public void Compute_RowsOutsideTheRange_Ignored()
    {
        var points = StatsSeries.Compute([Row(-1, Route.Unified, 3, 0, 1), Row(9, Route.Unified, 3, 0, 1)], Start, Start.AddMinutes(2));

        Assert.Equal(3, points.Count);
        Assert.All(points, static p => Assert.Equal(0, p.Unified.Requests));
    }
}
