using Cutover.Core.Rollout;

namespace Cutover.Core.Tests.Rollout;

/// <summary>When a domain's legacy handler can be retired (<see cref="Decommission.Judge"/>), pure.</summary>
public sealed class DecommissionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = Now - TimeSpan.FromDays(45);

    [Fact]
    public void ThirtyQuietDaysAtFull_Ready()
    {
        var verdict = Decommission.Judge("jobs", 100, LongAgo, lastRollbackAt: LongAgo, legacyUpdates: 0, Now);

        Assert.Equal(new DecommissionVerdict("jobs", true,
            "30 days at 100% with no legacy traffic and no rollback: its legacy handler can be retired"), verdict);
    }

    [Fact]
    public void BelowFull_NotReady_SaysThePercent() =>
        Assert.Equal(new DecommissionVerdict("jobs", false, "at 75.5%, not 100%"), Decommission.Judge("jobs", 75.5m, LongAgo, null, 0, Now));

    [Fact]
    public void AtFullFewerThanThirtyDays_NotReady_SaysHowLong() =>
        Assert.Equal("at 100% for 12.5 of the 30 days", Decommission.Judge("jobs", 100, Now - TimeSpan.FromHours(300), null, 0, Now).Reason);

    [Fact]
    public void RollbackWithinTheThirtyDays_NotReady_SaysWhen()
    {
        var verdict = Decommission.Judge("jobs", 100, LongAgo, Now - TimeSpan.FromDays(3), 0, Now);

        Assert.False(verdict.Ready);
        Assert.Equal("a rollback on 2026-11-22 is within the 30 days", verdict.Reason);
    }

    [Fact]
    public void LegacyTraffic_NotReady_SaysHowMuch() =>
        Assert.Equal("legacy still took 1,234 updates in the last 30 days", Decommission.Judge("jobs", 100, LongAgo, null, 1234, Now).Reason);

    [Fact]
    public void ExactlyThirtyDays_Ready() =>
        Assert.True(Decommission.Judge("jobs", 100, Now - Decommission.QuietPeriod, Now - Decommission.QuietPeriod, 0, Now).Ready);
}
