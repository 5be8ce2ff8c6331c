using System.Globalization;
using System.Net;
using System.Text.Json;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// The <c>split</c> gate over a fixed population of users, as in production (the soak of issue 14), through real
/// upstreams, a real store and the manual rollout on a fake clock: it judges users, and a gate that holds the step
/// can be accepted knowingly by <c>promote</c>.
/// </summary>
public sealed class SplitGateTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private const string PropertyText = "apartment for rent";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 10, TimeSpan.Zero));
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;
    private long _sent;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private RolloutService Rollouts => _router.Service<RolloutService>();

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _router = await RouterHarness.StartAsync(_upstreams, static s =>
        {
            s["Cutover:Privacy:UserKeys"] = "raw";
            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
            s["Cutover:Health:MinRequests"] = "20";
            s["Cutover:Health:LatencyMinRequests"] = "20";
            s["Cutover:Health:RecentWindow"] = "00:01:00";
            s["Cutover:Rollout:Mode"] = "manual";
            s["Cutover:Rollout:EvaluationInterval"] = "00:00:30";
            foreach (var (percent, i) in new[] { 10, 25, 50, 100 }.Select(static (p, i) => (p, i)))
            {
                s[$"Cutover:Rollout:Steps:{i}:Percent"] = percent.ToString(CultureInfo.InvariantCulture);
                s[$"Cutover:Rollout:Steps:{i}:Soak"] = "00:05:00";
                s[$"Cutover:Rollout:Steps:{i}:MinRequests"] = "20";
            }
        }, _time, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task Manual_240UsersAt10PercentLegacyUsersBusier_SplitOkOnUsersWhereRequestsWouldHaveHeld()
    {
        // arrange: 240 users of property; those the bucket sends to unified write once a look, the others four times,
        // so the requests' share is far below 10% while the users' share is what the bucket made it; and 40 testers
        // pinned to unified by overrides, which are not the bucket's and must not count
        await CommandAsync("start", """{"reason": "week 6"}""");
        var users = Enumerable.Range(0, 240).Select(static i => $"2507{i:D8}").ToList();
        var testers = Enumerable.Range(0, 40).Select(static i => $"2508{i:D8}").ToList();
        foreach (var tester in testers)
        {
            using var pin = await _router.AdminAsync(HttpMethod.Put, $"admin/overrides/{tester}", """{"route": "unified", "reason": "QA"}""");
            Assert.True(pin.IsSuccessStatusCode, await pin.Content.ReadAsStringAsync(Cancel));
        }

        long unifiedPosts = 0, posts = 0;

        // act: eleven looks (past the 5-minute soak), a quarter of the users each time, and every tester
        for (var look = 0; look < 11; look++)
        {
            var (u, n) = await SendAsync(users.Where((_, i) => i % 4 == look % 4), unifiedPosts: 1, legacyPosts: 4);
            unifiedPosts += u;
            posts += n;
            await SendAsync(testers, unifiedPosts: 1, legacyPosts: 1);
            await LookAsync();
        }

        // assert: the request share would have failed the old request-based tolerance ...
        var requestShare = 100.0 * unifiedPosts / posts;
        Assert.True(Math.Abs(requestShare - 10) > Math.Max(2, 300 * Math.Sqrt(0.09 / posts)), $"request share {requestShare:0.##}% of {posts}");

        // ... but the users' share is within chance of 10%: the gate passes and the step awaits promotion
        var report = await _router.Service<HealthService>().EvaluateAsync(Cancel);
        var split = Assert.Single(report.Checks, static c => c.Name == HealthEvaluator.Split);
        Assert.True(split.State == HealthState.Ok, split.Message);
        Assert.Matches(@"property \d+(\.\d+)?% of 240 users on unified \(configured 10% ± \d\.\d+ points\)", split.Message);
        var state = await Rollouts.CurrentAsync(Cancel);
        Assert.True(state.Status == RolloutStatus.AwaitingPromotion, $"{state.Status}: {state.Note}");
        using var promote = await CommandAsync("promote", """{"reason": "reviewed"}""");
        Assert.Equal(25m, (await Rollouts.CurrentAsync(Cancel)).Percent);
    }

    [Fact]
    public async Task Manual_SkewedCohortHoldsOnSplit_PromoteRefusedUntilSplitIsAcceptedAndHistoryRecordsIt()
    {
        // arrange: a cohort with three times the share of unified users the percent gives (30 of 100 at 10%)
        await CommandAsync("start", """{"reason": "week 6"}""");
        var bucketing = _router.Service<RouterTopology>().Bucketing;
        var threshold = Bucketing.ThresholdOf(10);
        var candidates = Enumerable.Range(0, 5_000).Select(static i => $"2507{i:D8}").ToList();
        var cohort = candidates.Where(u => bucketing.BucketOf(u) < threshold).Take(30)
            .Concat(candidates.Where(u => bucketing.BucketOf(u) >= threshold).Take(70)).ToList();
        for (var look = 0; look < 11; look++)
        {
            await SendAsync(cohort, unifiedPosts: 1, legacyPosts: 1);
            await LookAsync();
        }

        var held = await Rollouts.CurrentAsync(Cancel);

        // act
        using var plain = await _router.AdminAsync(HttpMethod.Post, "admin/rollout/promote", """{"reason": "looks fine"}""");
        using var unknown = await _router.AdminAsync(HttpMethod.Post, "admin/rollout/promote", """{"reason": "x", "accept": ["spilt"]}""");
        using var elsewhere = await _router.AdminAsync(HttpMethod.Post, "admin/rollout/pause", """{"reason": "x", "accept": ["split"]}""");
        using var accepted = await CommandAsync("promote", """{"reason": "pilot cohort skews the split (INC-42)", "accept": ["split"]}""");

        // assert: held on the split, refused without --accept naming the gate, promoted with it and recorded
        Assert.True(held.Status == RolloutStatus.Holding && held.Note!.Contains("split warn", StringComparison.Ordinal), $"{held.Status}: {held.Note}");
        Assert.Equal(HttpStatusCode.Conflict, plain.StatusCode);
        var refusal = await plain.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("rollout_refused", refusal);
        Assert.Contains("--accept split", refusal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var unknownBody = await unknown.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("unknown_gate", unknownBody);
        Assert.Contains("the gates are error_rate, p95", unknownBody);
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);

        var state = await Rollouts.CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Soaking, 1, 25m), (state.Status, state.Step, state.Percent));
        Assert.Equal(25m, _router.Service<RoutingService>().Current.State.Percent);
        var history = await _router.Service<ICutoverStore>().HistoryAsync(new HistoryQuery(100, Kind: RolloutEventKinds.Promote), Cancel);
        var promote = Assert.Single(history);
        Assert.Equal("pilot cohort skews the split (INC-42)", promote.Reason);
        var gate = Assert.Single(JsonDocument.Parse(promote.After!).RootElement.GetProperty("accepted").EnumerateArray());
        Assert.Equal(("split", "warn"), (gate.GetProperty("name").GetString(), gate.GetProperty("state").GetString()));
        Assert.Contains("the split is off in property: ", gate.GetProperty("message").GetString());
        Assert.Contains("property 30% of 100 users on unified", gate.GetProperty("message").GetString());

        // the acceptance was for that step only: GET /admin/history shows it as recorded
        using var api = await _router.AdminAsync(HttpMethod.Get, "admin/history?kind=rollout_promote");
        Assert.Contains("\"accepted\"", await api.Content.ReadAsStringAsync(Cancel));
    }

    /// <summary>One message of property from each user (more from some); returns the posts that went to unified and all posts.</summary>
    private async Task<(long Unified, long All)> SendAsync(IEnumerable<string> users, int unifiedPosts, int legacyPosts)
    {
        var bucketing = _router.Service<RouterTopology>().Bucketing;
        var threshold = Bucketing.ThresholdOf(_router.Service<RoutingService>().Current.State.Percent);
        long unified = 0, all = 0;
        foreach (var user in users)
        {
            var onUnified = bucketing.BucketOf(user) < threshold;
            for (var i = 0; i < (onUnified ? unifiedPosts : legacyPosts); i++)
            {
                using var response = await _router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, PropertyText)));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                all++;
                unified += onUnified ? 1 : 0;
            }
        }

        _sent += all;
        return (unified, all);
    }

    /// <summary>Waits until everything sent is logged, moves the clock one interval, evaluates.</summary>
    private async Task LookAsync()
    {
        await _router.WaitForDecisionsAsync(_sent);
        _time.Advance(Interval);
        await Rollouts.EvaluateAsync(Cancel);
    }

    private async Task<HttpResponseMessage> CommandAsync(string command, string json)
    {
        var response = await _router.AdminAsync(HttpMethod.Post, $"admin/rollout/{command}", json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return response;
    }
}
