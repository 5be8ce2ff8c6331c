using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Stats;

public sealed class StatsCalculatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Domains = ["jobs", "property", "mobility"];

    [Fact]
    public void Compute_RowsFromManyBatchesAndMinutes_AgreeWithTheRawDecisions()
    {
        // arrange: 20,000 decisions over 3 domains × 2 routes × 3 handlers, 90 minutes, log-normal latencies
        var random = new Random(7);
        var decisions = Enumerable.Range(0, 20_000).Select(i => Decision(
            at: Start.AddSeconds(random.Next(0, 90 * 60)),
            domain: Domains[random.Next(Domains.Length)],
            route: random.Next(4) == 0 ? Route.Unified : Route.Legacy,
            handler: random.Next(3) switch { 0 => "agent-a", 1 => "agent-b", _ => null },
            success: random.NextDouble() > 0.02,
            fallback: random.NextDouble() < 0.01,
            ms: Math.Exp(3.5 + (random.NextDouble() - 0.5) * 2))).ToList();

        // act: rolled up in batches of 700 per minute, as the store does, then computed
        var rows = decisions.Chunk(700)
            .SelectMany(static batch => Rollups.Aggregate(batch, Rollups.Minute).Select(static p => p.Value.ToRow(p.Key)))
            .ToList();
        var report = StatsCalculator.Compute(rows, Start, Start.AddMinutes(90));

        // assert: counts exactly, quantiles within the sketch's 1%
        foreach (var group in decisions.GroupBy(static d => (d.Domain, d.Route)))
        {
            var stats = Assert.Single(report.Routes, r => r.Domain == group.Key.Domain && r.Route == group.Key.Route);
            Assert.Equal(group.Count(), stats.RequestCount);
            Assert.Equal(group.Count(static d => !d.Success || d.Fallback), stats.ErrorCount);
            Assert.Equal(group.Count(static d => d.Fallback), stats.FallbackCount);
            Assert.Equal(group.Average(static d => d.LatencyMs), stats.AvgResponseMs!.Value, 6);
            AssertWithinOnePercent(NearestRank(group, 0.95), stats.P95Ms!.Value);
            AssertWithinOnePercent(NearestRank(group, 0.50), stats.P50Ms!.Value);
            AssertWithinOnePercent(NearestRank(group, 0.99), stats.P99Ms!.Value);
            var domainTotal = decisions.Count(d => d.Domain == group.Key.Domain);
            Assert.Equal(100.0 * group.Count() / domainTotal, stats.SharePct, 2);
        }

        var unified = decisions.Where(static d => d.Route == Route.Unified).ToList();
        Assert.Equal(unified.Count, report.Total(Route.Unified).RequestCount);
        AssertWithinOnePercent(NearestRank(unified, 0.95), report.Total(Route.Unified).P95Ms!.Value);
        Assert.Equal(100.0 * unified.Count / decisions.Count, report.Total(Route.Unified).SharePct, 2);

        foreach (var group in decisions.Where(static d => d.Handler is not null).GroupBy(static d => (d.Handler, d.Route)))
        {
            var handler = Assert.Single(report.Handlers, h => h.Handler == group.Key.Handler && h.Route == group.Key.Route);
            Assert.Equal(group.Count(), handler.Invocations);
            Assert.Equal(group.Count(static d => !d.Success || d.Fallback), handler.Failures);
            AssertWithinOnePercent(NearestRank(group, 0.95), handler.P95Ms!.Value);
        }

        Assert.Equal(4, report.Handlers.Count); // 2 handlers × 2 routes; "no handler" is not a handler
    }

    [Fact]
    public void Compute_NoRows_BothTotalsPresentAndEmpty()
    {
        var report = StatsCalculator.Compute([], Start, Start.AddHours(1));

        Assert.Empty(report.Routes);
        Assert.Empty(report.Handlers);
        Assert.Equal([Route.Unified, Route.Legacy], report.Totals.Select(static t => t.Route));
        Assert.All(report.Totals, static t => Assert.Equal((0L, null, 0.0), (t.RequestCount, t.P95Ms, t.SharePct)));
    }

    [Fact]
    public void Aggregate_SplitsByMinuteDomainRouteAndHandler()
    {
        var cells = Rollups.Aggregate(
        [
            Decision(Start.AddSeconds(59.999), "jobs", Route.Unified, "a"),
            Decision(Start.AddSeconds(60), "jobs", Route.Unified, "a"),
            Decision(Start.AddSeconds(61), "jobs", Route.Unified, null),
            Decision(Start.AddSeconds(62), "jobs", Route.Legacy, null),
        ], Rollups.Minute);

        var minute = Start.ToUnixTimeMilliseconds();
        Assert.Equal(
            [(minute, "a", Route.Unified), (minute + 60_000, "a", Route.Unified), (minute + 60_000, Rollups.NoHandler, Route.Unified),
             (minute + 60_000, Rollups.NoHandler, Route.Legacy)],
            cells.Keys.Select(static k => (k.PeriodStartMs, k.Handler, k.Route)));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(59_999, 0)]
    [InlineData(60_000, 60_000)]
    [InlineData(-1, -60_000)]
    public void PeriodStart_FloorsToTheResolution(long at, long expected) =>
        Assert.Equal(expected, Rollups.PeriodStart(at, Rollups.Minute));

    private static DecisionRecord Decision(
        DateTimeOffset at, string domain, Route route, string? handler, bool success = true, bool fallback = false, double ms = 5) =>
        new(at, "c", null, "u", UpdateKind.Message, domain, ClassificationRule.Keyword, 1, route, route.ToName(), handler, success,
            success ? 200 : 503, ms, null, fallback);

    private static double NearestRank(IEnumerable<DecisionRecord> decisions, double q)
    {
        var sorted = decisions.Select(static d => d.LatencyMs).Order().ToArray();
        return sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1];
    }

    private static void AssertWithinOnePercent(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 0.01 * expected, $"expected {expected} within 1%, got {actual}");
}
