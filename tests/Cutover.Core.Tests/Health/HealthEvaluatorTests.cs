using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Health;

public sealed class HealthEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Start.AddHours(1);
    private static readonly HealthThresholds Thresholds = new() { ExpectedHandlers = ["agent-a", "agent-b"] };

    [Fact]
    public void Evaluate_HealthyTrafficAtTheConfiguredSplit_EveryCheckOk()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.25));

        Assert.All(report.Checks, static c => Assert.True(c.State == HealthState.Ok, $"{c.Name}: {c.State} {c.Message}"));
        Assert.Equal(HealthState.Ok, report.State);
        Assert.Equal(
            [HealthEvaluator.ErrorRate, HealthEvaluator.P95, HealthEvaluator.ErrorsAgainstLegacy, HealthEvaluator.LatencyAgainstLegacy,
             HealthEvaluator.Split, HealthEvaluator.HandlerCoverage, HealthEvaluator.HandlerFailures],
            report.Checks.Select(static c => c.Name));
    }

    [Fact]
    public void Evaluate_UnifiedFailingFivePercent_ErrorRateAndComparisonCritical()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.35, unifiedErrorRate: 0.05, percent: 35));

        var errorRate = Check(report, HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.Critical, errorRate.State);
        Assert.InRange(errorRate.Value!.Value, 4, 6);
        Assert.Equal(0.5, errorRate.Threshold);
        Assert.Contains("above the critical 0.5%", errorRate.Message);
        Assert.Equal(HealthState.Critical, Check(report, HealthEvaluator.ErrorsAgainstLegacy).State);
        Assert.Equal(HealthState.Critical, report.State);
    }

    [Fact]
    public void Evaluate_SuddenFailureAfterAGoodHour_TheRecentWindowCatchesWhatTheHourDilutes()
    {
        // an hour of good traffic, then the last two minutes with unified failing 8%
        var good = Traffic(unifiedShare: 0.35);
        var random = new Random(3);
        var decisions = good.Select(d => d.At >= Now.AddMinutes(-2) && d.Route == Core.Routing.Route.Unified && random.NextDouble() < 0.08
            ? d with { Success = false } : d).ToList();
        var rows = Rollups.Aggregate(decisions, Rollups.Minute).Select(static p => p.Value.ToRow(p.Key)).ToList();
        var hour = StatsCalculator.Compute(rows, Start, Now);
        var recent = StatsCalculator.Compute(rows.Where(static r => r.PeriodStartMs >= Now.AddMinutes(-2).ToUnixTimeMilliseconds()), Now.AddMinutes(-2), Now);
        var expected = new Dictionary<string, decimal> { ["jobs"] = 35 };

        var withoutRecent = HealthEvaluator.Evaluate(new HealthInputs(Now, hour, hour, [], expected), Thresholds);
        var withRecent = HealthEvaluator.Evaluate(new HealthInputs(Now, hour, hour, [], expected, Recent: recent), Thresholds);

        Assert.NotEqual(HealthState.Critical, Check(withoutRecent, HealthEvaluator.ErrorRate).State);
        var check = Check(withRecent, HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.Critical, check.State);
        Assert.Contains("in the last 2m", check.Message);
    }

    [Theory]
    [InlineData(2500, HealthState.Warn)]
    [InlineData(4000, HealthState.Critical)]
    public void Evaluate_SlowUnified_P95AgainstTheGuards(double unifiedMs, HealthState expected)
    {
        var report = Evaluate(Traffic(unifiedShare: 0.25, unifiedMs: unifiedMs));

        var p95 = Check(report, HealthEvaluator.P95);
        Assert.Equal(expected, p95.State);
        Assert.InRange(p95.Value!.Value, unifiedMs * 0.94, unifiedMs * 1.01);
        Assert.Equal(HealthState.Warn, Check(report, HealthEvaluator.LatencyAgainstLegacy).State);
    }

    [Fact]
    public void Evaluate_TooFewRequests_InsufficientDataWithHowManyMoreAndHowLong()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.25, requests: 240)); // 60 unified in an hour: 1 a minute

        var errorRate = Check(report, HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.InsufficientData, errorRate.State);
        Assert.Matches(@"^needs \d\d more unified requests \(\d\d of 100\); at [01]\.\d+ a minute, about \d+ minutes$", errorRate.Message);
        Assert.Equal(HealthState.InsufficientData, report.State);
        Assert.NotEqual(HealthState.Ok, report.State);
    }

    [Fact]
    public void Evaluate_NoTrafficAtAll_InsufficientAndSaysNoneAreArriving()
    {
        var report = Evaluate([]);

        Assert.Equal(HealthState.InsufficientData, report.State);
        Assert.Contains("none are arriving", Check(report, HealthEvaluator.ErrorRate).Message);
    }

    [Fact]
    public void Evaluate_ShareFarFromThePercent_SplitWarnsNamingTheDomain()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.40), percent: 25);

        var split = Check(report, HealthEvaluator.Split);
        Assert.Equal(HealthState.Warn, split.State);
        Assert.Equal(25, split.Threshold!.Value, 3);
        Assert.Contains("off in jobs", split.Message);
    }

    [Fact]
    public void Evaluate_ExpectedHandlerNeverSeen_CoverageWarnsNamingIt()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.25), thresholds: Thresholds with { ExpectedHandlers = ["agent-a", "agent-b", "agent-c"] });

        var coverage = Check(report, HealthEvaluator.HandlerCoverage);
        Assert.Equal((HealthState.Warn, 2.0, 3.0), (coverage.State, coverage.Value, coverage.Threshold));
        Assert.Contains("agent-c", coverage.Message);
    }

    [Fact]
    public void Evaluate_OneHandlerFailingEveryRequest_Critical()
    {
        var decisions = Traffic(unifiedShare: 0.25).Select(static d => d.Handler == "agent-b" ? d with { Success = false } : d).ToList();

        var report = Evaluate(decisions);

        var failing = Check(report, HealthEvaluator.HandlerFailures);
        Assert.Equal(HealthState.Critical, failing.State);
        Assert.Contains("agent-b (unified", failing.Message);
        Assert.Equal(HealthState.Critical, report.State);
    }

    [Fact]
    public void Evaluate_ExtraChecks_CountTowardsTheState()
    {
        var report = Evaluate(Traffic(unifiedShare: 0.25), extra: [new HealthCheck("probe.unified", HealthState.Critical, null, null, "down")]);

        Assert.Equal(HealthState.Critical, report.State);
        Assert.Equal("probe.unified", Assert.Single(report.Deciding).Name);
    }

    [Fact]
    public void Rollout_P95AboveCriticalOrAHandlerFailingCompletely_RollsBackLikeErrorsDo()
    {
        var plan = new Core.Rollout.RolloutPlan(Core.Rollout.RolloutPlan.DefaultSteps, Core.Rollout.RolloutMode.Auto, Core.Rollout.CriticalAction.Zero);
        var at35 = Core.Rollout.RolloutCommands.Start(plan, Core.Rollout.RolloutState.Idle(Start), null, Core.Routing.RoutingState.Initial(["jobs"], Start), domainRoutable: false, Start).Next! with { Step = 2, Percent = 35 };
        var slow = Evaluate(Traffic(unifiedShare: 0.35, unifiedMs: 4000, percent: 35), percent: 35);
        var failingAgent = Evaluate(
            [.. Traffic(unifiedShare: 0.35, percent: 35).Select(static d => d.Handler == "agent-b" ? d with { Success = false } : d)], percent: 35);

        var onSlow = Core.Rollout.RolloutDecider.Decide(plan, at35, slow, 10_000, Now);
        var onFailing = Core.Rollout.RolloutDecider.Decide(plan, at35, failingAgent, 10_000, Now);

        Assert.Equal((Core.Rollout.RolloutDecisionKind.Rollback, 0m), (onSlow.Kind, onSlow.Next.Percent));
        Assert.Contains(onSlow.Causes, static c => c.Name == HealthEvaluator.P95);
        Assert.Equal((Core.Rollout.RolloutDecisionKind.Rollback, 0m), (onFailing.Kind, onFailing.Next.Percent));
        Assert.Contains(onFailing.Causes, static c => c.Name == HealthEvaluator.HandlerFailures);
    }

    [Fact]
    public void Evaluate_At100PercentWithNoLegacyLeft_LatencyComparesWithLegacyBeforeTheChangeOrSaysThereIsNone()
    {
        var all = StatsOf(Traffic(unifiedShare: 1.0, percent: 100));
        var before = StatsOf(Traffic(unifiedShare: 0.5, percent: 50));
        var expected = new Dictionary<string, decimal> { ["jobs"] = 100 };

        var withReference = HealthEvaluator.Evaluate(new HealthInputs(Now, all, all, [], expected, Reference: before), Thresholds);
        var alone = HealthEvaluator.Evaluate(new HealthInputs(Now, all, all, [], expected), Thresholds);

        var compared = Check(withReference, HealthEvaluator.LatencyAgainstLegacy);
        Assert.Equal(HealthState.Ok, compared.State);
        Assert.Contains("within legacy's", compared.Message);
        var none = Check(alone, HealthEvaluator.LatencyAgainstLegacy);
        Assert.Equal(HealthState.Ok, none.State);
        Assert.Contains("no legacy traffic to compare", none.Message);
    }

    /// <summary>What the store counts for the split: distinct users per domain, and those of them on unified.</summary>
    private static List<DomainUsers> UsersOf(IReadOnlyList<DecisionRecord> decisions) =>
        [.. decisions.Where(static d => d.UserKey is not null).GroupBy(static d => d.Domain).Select(static g => new DomainUsers(
            g.Key, g.Select(static d => d.UserKey).Distinct().LongCount(),
            g.Where(static d => d.Route == Route.Unified).Select(static d => d.UserKey).Distinct().LongCount()))];

    private static StatsReport StatsOf(IReadOnlyList<DecisionRecord> decisions) =>
        StatsCalculator.Compute(Rollups.Aggregate(decisions, Rollups.Minute).Select(static p => p.Value.ToRow(p.Key)), Start, Now);

    private static HealthCheck Check(HealthReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    private static HealthReport Evaluate(
        IReadOnlyList<DecisionRecord> decisions, decimal percent = 25, HealthThresholds? thresholds = null, IReadOnlyList<HealthCheck>? extra = null)
    {
        var rows = Rollups.Aggregate(decisions, Rollups.Minute).Select(static p => p.Value.ToRow(p.Key)).ToList();
        var stats = StatsCalculator.Compute(rows, Start, Now);
        var intervals = rows.GroupBy(static r => (r.PeriodStartMs, r.Domain)).Select(static g => new ComparisonInterval(
            g.Where(static r => r.Route == Route.Unified).Sum(static r => r.Requests), g.Where(static r => r.Route == Route.Unified).Sum(static r => r.Errors),
            g.Where(static r => r.Route == Route.Legacy).Sum(static r => r.Requests), g.Where(static r => r.Route == Route.Legacy).Sum(static r => r.Errors)))
            .ToList();
        var expected = new Dictionary<string, decimal> { ["jobs"] = percent };
        return HealthEvaluator.Evaluate(new HealthInputs(Now, stats, stats, intervals, expected, extra, Users: UsersOf(decisions)), thresholds ?? Thresholds);
    }

    /// <summary>
    /// An hour of jobs traffic: unified answered by agent-a and agent-b, legacy by jobs; legacy fails 0.05%. Each update
    /// from a user of its own, so the users' share is the requests' share.
    /// </summary>
    private static List<DecisionRecord> Traffic(
        double unifiedShare, double unifiedErrorRate = 0.0005, double unifiedMs = 120, int requests = 12_000, decimal percent = 25)
    {
        var random = new Random(11);
        var decisions = new List<DecisionRecord>(requests);
        for (var i = 0; i < requests; i++)
        {
            var unified = random.NextDouble() < unifiedShare;
            var failed = random.NextDouble() < (unified ? unifiedErrorRate : 0.0005);
            var ms = (unified ? unifiedMs : 150) * (0.95 + 0.05 * random.NextDouble());
            decisions.Add(new DecisionRecord(
                Start.AddSeconds(3600.0 * i / requests), "c", null, $"u{i}", UpdateKind.Message, "jobs", ClassificationRule.Keyword, 1,
                unified ? Route.Unified : Route.Legacy, unified ? "unified" : "jobs", unified ? (i % 2 == 0 ? "agent-a" : "agent-b") : "jobs",
                !failed, failed ? 503 : 200, ms, null, false));
        }

        return decisions;
    }
}
