using Cutover.Cli.Demo;
using Cutover.Store;

namespace Cutover.Cli.Tests.Demo;

public sealed class QueuedPhaseMeterTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Percentile_NearestRank_OfSortedValues()
    {
        double[] sorted = [.. Enumerable.Range(1, 100).Select(static i => (double)i)];

        Assert.Equal(50, QueuedPhaseMeter.Percentile(sorted, 0.50));
        Assert.Equal(99, QueuedPhaseMeter.Percentile(sorted, 0.99));
        Assert.Equal(7, QueuedPhaseMeter.Percentile([7], 0.99));
        Assert.Null(QueuedPhaseMeter.Percentile([], 0.5));
    }

    [Fact]
    public void Row_BacklogIsPendingPlusInFlight_PeakKept_DeliveredCountedFromThePhaseStart()
    {
        // arrange
        var meter = new QueuedPhaseMeter("all down", "every handler answers 503", TimeSpan.FromSeconds(10), new QueueStats(0, 0, 0, null, 100));

        // act
        meter.Sent(new SentBurst(5, [3.0, 1.0, 2.0], ["wamid.1", "wamid.2"]));
        meter.Observe(new QueueStats(40, 8, 2, At, 110), TimeSpan.FromSeconds(11));
        meter.Observe(new QueueStats(20, 4, 3, At, 130), TimeSpan.FromSeconds(12));
        meter.End();
        var row = meter.Row();

        // assert
        Assert.Equal(new QueuedPhaseRow("all down", "every handler answers 503", TimeSpan.FromSeconds(2), 3, 5, 2.0, 3.0, 48, 24, 30, 3, Done: true), row);
    }
}
