using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Health;

/// <summary>
/// The fast look's judgement from the decisions since a change, counted from the change's exact time: the same guards,
/// minimum samples and sequential comparison as the full look, on slices of a few seconds.
/// </summary>
public sealed class SinceChangeTests
{
    /// <summary>A change 40 s into a minute: a whole minute of rollups would only start 20 s later.</summary>
    private static readonly DateTimeOffset Change = new(2026, 11, 25, 9, 0, 40, TimeSpan.Zero);
    private static readonly HealthThresholds Thresholds = new();
    private static readonly Dictionary<string, decimal> Expected = new(StringComparer.Ordinal) { ["jobs"] = 10 };
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(5);

    [Fact]
    public void EvaluateSinceChange_HundredUnifiedRequestsInTheChangesFirstSeconds_TheGuardsJudge()
    {
        // arrange: 15 s after the change, inside the change's own minute: 100 unified requests, none failed
        var now = Change.AddSeconds(15);
        var window = Window(Change, now, Traffic(Change, now, unifiedPerSlice: 34, legacyPerSlice: 300));

        // act
        var report = HealthEvaluator.EvaluateSinceChange(window, Expected, Thresholds, now);

        // assert: counted from 09:00:40, not from 09:01:00 (when no whole minute has passed, a minute's count would be 0)
        Assert.Equal(102, window.Unified.Requests);
        Assert.Equal(HealthState.Ok, Check(report, HealthEvaluator.ErrorRate).State);
        Assert.Equal(HealthState.Ok, Check(report, HealthEvaluator.P95).State);
        Assert.Contains("since the change at 09:00:40Z", Check(report, HealthEvaluator.ErrorRate).Message);
        Assert.Equal(HealthState.Ok, report.State);
    }

    [Fact]
    public void EvaluateSinceChange_OneRequestShortOfTheMinimum_InsufficientNotOk()
    {
        var now = Change.AddSeconds(15);
        var slices = Traffic(Change, now, unifiedPerSlice: 33, legacyPerSlice: 300);

        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        Assert.Equal(99, Window(Change, now, slices).Unified.Requests);
        var check = Check(report, HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.InsufficientData, check.State);
        Assert.Contains("needs 1 more unified requests (99 of 100)", check.Message);
    }

    [Fact]
    public void EvaluateSinceChange_ThirtyPercentOfUnifiedFailingWithEnoughSample_Critical()
    {
        // arrange: 10 s of good traffic, then 30% of unified failing; 150 webhooks a second, 10% on unified
        var now = Change.AddSeconds(20);
        var slices = Traffic(Change, Change.AddSeconds(10), unifiedPerSlice: 75, legacyPerSlice: 675)
            .Concat(Traffic(Change.AddSeconds(10), now, unifiedPerSlice: 75, legacyPerSlice: 675, unifiedErrorsPerSlice: 23))
            .ToList();

        // act
        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        // assert
        Assert.Equal(HealthState.Critical, report.State);
        var errorRate = Check(report, HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.Critical, errorRate.State);
        Assert.InRange(errorRate.Value!.Value, 15, 16);
        Assert.Equal(HealthState.Critical, Check(report, HealthEvaluator.ErrorsAgainstLegacy).State);
    }

    [Fact]
    public void EvaluateSinceChange_ThirtyPercentFailingButTooFewRequests_NotCritical()
    {
        // 60 unified requests since the change, 18 failed: a lot, but below the minimum sample nothing is judged
        var now = Change.AddSeconds(10);
        var slices = Traffic(Change, now, unifiedPerSlice: 30, legacyPerSlice: 270, unifiedErrorsPerSlice: 9);

        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        Assert.NotEqual(HealthState.Critical, report.State);
        Assert.Equal(HealthState.InsufficientData, Check(report, HealthEvaluator.ErrorRate).State);
        Assert.Equal(HealthState.InsufficientData, Check(report, HealthEvaluator.ErrorsAgainstLegacy).State);
    }

    [Fact]
    public void EvaluateSinceChange_AFewEarlyErrorsAmongEnoughRequests_NotCritical()
    {
        // 4 unified failures among 200 (2%, above the 0.5% critical rate), legacy failing too: fewer than the 5
        // failures a rate needs, and no evidence unified fails more often than legacy
        var now = Change.AddSeconds(10);
        List<DecisionSlice> slices =
        [
            new(Change.ToUnixTimeMilliseconds(), "jobs", Route.Unified, 100, 2, 0, 0),
            new(Change.ToUnixTimeMilliseconds(), "jobs", Route.Legacy, 900, 5, 0, 0),
            new(Change.AddSeconds(5).ToUnixTimeMilliseconds(), "jobs", Route.Unified, 100, 2, 0, 0),
            new(Change.AddSeconds(5).ToUnixTimeMilliseconds(), "jobs", Route.Legacy, 900, 5, 0, 0),
        ];

        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        Assert.Equal(HealthState.Ok, Check(report, HealthEvaluator.ErrorRate).State);
        Assert.Contains("fewer than the 5 failures needed", Check(report, HealthEvaluator.ErrorRate).Message);
        Assert.Equal(HealthState.Ok, Check(report, HealthEvaluator.ErrorsAgainstLegacy).State);
        Assert.NotEqual(HealthState.Critical, report.State);
    }

    [Fact]
    public void EvaluateSinceChange_HealthyTrafficReadEveryTwoSecondsForTenMinutes_NeverCritical()
    {
        // arrange: both sides fail 0.1% of requests at random, 150 a second, 10% on unified, seeded
        var random = new Random(17);
        var slices = new List<DecisionSlice>();
        var end = Change.AddMinutes(10);
        for (var at = Change; at < end; at += Slice)
        {
            slices.Add(new(at.ToUnixTimeMilliseconds(), "jobs", Route.Unified, 75, Failures(random, 75, 0.001), 0, 0));
            slices.Add(new(at.ToUnixTimeMilliseconds(), "jobs", Route.Legacy, 675, Failures(random, 675, 0.001), 0, 0));
        }

        // act: the fast look's reads, every 2 s, the window sliding after the cap as the server reads it
        var states = new List<HealthState>();
        for (var now = Change.AddSeconds(2); now <= end; now += TimeSpan.FromSeconds(2))
        {
            var from = ChangeWindow.StartOf(Change, now, TimeSpan.FromMinutes(2), Slice);
            var seen = slices.Where(s => s.StartMs >= from.ToUnixTimeMilliseconds() - (long)Slice.TotalMilliseconds + 1
                && s.StartMs < now.ToUnixTimeMilliseconds()).ToList();
            states.Add(HealthEvaluator.EvaluateSinceChange(new ChangeWindow(Change, from, now, seen), Expected, Thresholds, now).State);
        }

        // assert
        Assert.Equal(300, states.Count);
        Assert.DoesNotContain(HealthState.Critical, states);
    }

    [Fact]
    public void EvaluateSinceChange_ChangeOlderThanTheCap_GuardsJudgeTheRecentSecondsWithoutTheComparison()
    {
        // an hour after the change, 10 s of unified failing 30% in the last two minutes
        var changed = Change.AddHours(-1);
        var now = Change.AddMinutes(2);
        var from = ChangeWindow.StartOf(changed, now, TimeSpan.FromMinutes(2), Slice);
        var slices = Traffic(from, now.AddSeconds(-10), unifiedPerSlice: 75, legacyPerSlice: 675)
            .Concat(Traffic(now.AddSeconds(-10), now, unifiedPerSlice: 75, legacyPerSlice: 675, unifiedErrorsPerSlice: 23))
            .ToList();

        var window = new ChangeWindow(changed, from, now, slices);
        var report = HealthEvaluator.EvaluateSinceChange(window, Expected, Thresholds, now);

        Assert.Equal(Change, from);
        Assert.False(window.FromChange);
        Assert.Equal(HealthState.Critical, Check(report, HealthEvaluator.ErrorRate).State);
        Assert.Contains("in the last 120 s", Check(report, HealthEvaluator.ErrorRate).Message);
        Assert.DoesNotContain(report.Checks, static c => c.Name == HealthEvaluator.ErrorsAgainstLegacy);
    }

    [Fact]
    public void EvaluateSinceChange_MoreThanFivePercentSlowerThanTheCriticalP95_P95Critical()
    {
        var now = Change.AddSeconds(10);
        List<DecisionSlice> slices = [new(Change.ToUnixTimeMilliseconds(), "jobs", Route.Unified, 200, 0, 12, 11)];

        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        var p95 = Check(report, HealthEvaluator.P95);
        Assert.Equal(HealthState.Critical, p95.State);
        Assert.Equal(5.5, p95.Value!.Value, 3);
        Assert.Contains("took longer than 3000 ms", p95.Message);
    }

    [Fact]
    public void EvaluateSinceChange_ExactlyFivePercentSlower_NotAboveTheP95()
    {
        var now = Change.AddSeconds(10);
        List<DecisionSlice> slices = [new(Change.ToUnixTimeMilliseconds(), "jobs", Route.Unified, 200, 0, 10, 10)];

        var report = HealthEvaluator.EvaluateSinceChange(Window(Change, now, slices), Expected, Thresholds, now);

        Assert.Equal(HealthState.Ok, Check(report, HealthEvaluator.P95).State);
    }

    [Fact]
    public void Evaluate_NoWholeMinuteSinceTheChangeButTheExactWindowFails_ErrorRateCritical()
    {
        // the full look 20 s after a change: no rollup since the change yet, the decision log has the seconds
        var now = Change.AddSeconds(20);
        var empty = StatsCalculator.Compute([], now, now);
        var slices = Traffic(Change, now, unifiedPerSlice: 75, legacyPerSlice: 675, unifiedErrorsPerSlice: 23);

        var without = HealthEvaluator.Evaluate(new HealthInputs(now, empty, empty, [], Expected), Thresholds);
        var with = HealthEvaluator.Evaluate(new HealthInputs(now, empty, empty, [], Expected, Exact: Window(Change, now, slices)), Thresholds);

        Assert.Equal(HealthState.InsufficientData, Check(without, HealthEvaluator.ErrorRate).State);
        Assert.Equal(HealthState.Critical, Check(with, HealthEvaluator.ErrorRate).State);
        Assert.Equal(HealthState.Critical, with.State);
    }

    [Fact]
    public void Intervals_SlicesOfRoutableDomains_OnePerSliceAndDomainInTimeOrder()
    {
        var t = Change.ToUnixTimeMilliseconds();
        List<DecisionSlice> slices =
        [
            new(t + 5000, "jobs", Route.Legacy, 9, 1, 0, 0),
            new(t, "jobs", Route.Unified, 2, 1, 0, 0),
            new(t, "jobs", Route.Legacy, 8, 0, 0, 0),
            new(t, "default", Route.Legacy, 50, 5, 0, 0),
            new(t + 5000, "jobs", Route.Unified, 3, 0, 0, 0),
        ];

        var intervals = Window(Change, Change.AddSeconds(10), slices).Intervals(Expected);

        Assert.Equal([new ComparisonInterval(2, 1, 8, 0), new ComparisonInterval(3, 0, 9, 1)], intervals);
    }

    [Theory]
    [InlineData(30, 30)] // a change 30 s ago: from the change
    [InlineData(600, 120)] // ten minutes ago: the last two minutes
    public void StartOf_ChangeAndCap_FromTheChangeUntilTheCapSlides(int secondsAgo, int expectedSecondsBack)
    {
        var now = Change.AddHours(1);

        var from = ChangeWindow.StartOf(now.AddSeconds(-secondsAgo), now, TimeSpan.FromMinutes(2), Slice);

        Assert.Equal(now.AddSeconds(-expectedSecondsBack), from);
    }

    [Theory]
    [InlineData(1_300, 121_300)] // 2 min back is 1.3 s into a slice: the window starts at that slice's edge
    [InlineData(0, 120_000)] // already on an edge
    public void StartOf_CapInsideASlice_StartsOnTheSlicesEdge(int msPastAnEdge, int expectedMsBack)
    {
        var now = Change.AddHours(1).AddSeconds(-40).AddMilliseconds(msPastAnEdge); // Change is 09:00:40, on an edge

        var from = ChangeWindow.StartOf(Change, now, TimeSpan.FromMinutes(2), Slice);

        Assert.Equal(now.AddMilliseconds(-expectedMsBack), from);
        Assert.Equal(0, from.ToUnixTimeMilliseconds() % 5_000);
    }

    [Fact]
    public void StartOf_ChangeInsideTheSliceTheCapFallsIn_FromTheChangeNotBeforeIt()
    {
        // 2 min back is 3 s into a slice; the change was 1 s before that, after the slice's edge
        var now = Change.AddHours(1).AddSeconds(3);
        var changed = now.AddSeconds(-121);

        var from = ChangeWindow.StartOf(changed, now, TimeSpan.FromMinutes(2), Slice);

        Assert.Equal(changed, from);
    }

    private static ChangeWindow Window(DateTimeOffset changedAt, DateTimeOffset now, IReadOnlyList<DecisionSlice> slices) =>
        new(changedAt, changedAt, now, slices);

    /// <summary>Slices of 5 s from <paramref name="from"/> to <paramref name="to"/>, the last one cut short in proportion.</summary>
    private static List<DecisionSlice> Traffic(
        DateTimeOffset from, DateTimeOffset to, long unifiedPerSlice, long legacyPerSlice, long unifiedErrorsPerSlice = 0)
    {
        var slices = new List<DecisionSlice>();
        for (var at = from; at < to; at += Slice)
        {
            var part = Math.Min(1.0, (to - at) / Slice);
            var unified = (long)Math.Round(unifiedPerSlice * part);
            slices.Add(new(at.ToUnixTimeMilliseconds(), "jobs", Route.Unified, unified, Math.Min(unified, (long)Math.Round(unifiedErrorsPerSlice * part)), 0, 0));
            slices.Add(new(at.ToUnixTimeMilliseconds(), "jobs", Route.Legacy, (long)Math.Round(legacyPerSlice * part), 0, 0, 0));
        }

        return slices;
    }

    private static long Failures(Random random, int requests, double rate)
    {
        long failed = 0;
        for (var i = 0; i < requests; i++)
        {
            failed += random.NextDouble() < rate ? 1 : 0;
        }

        return failed;
    }

    private static HealthCheck Check(HealthReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);
}
