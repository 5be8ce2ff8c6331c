using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// The operator's incident, in real time: a real router over real upstreams and a real store, about 150 webhooks a
/// second signed as Meta signs them, a rollout step taken while the traffic flows, and unified failing 30% of its
/// requests 3 s after the step. The controller keeps its default intervals (a full look every 30 s, a fast look every
/// 2 s), so only the fast look from the change's exact time can roll back in time. These tests run on the wall clock,
/// so they measure it; each takes under a minute, alone (<see cref="RunsAlone"/>).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class FaultToRollbackTests : IAsyncLifetime
{
    private const int PerSecond = 150;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>Texts the classifier sends to the routable domains (jobs, property, marketplace), so every update is the bucket's.</summary>
    private static readonly string[] Texts = ["a job please", "apartment for rent", "sell my phone"];

    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _upstreams.KeepRequests = false;
        _router = await RouterHarness.StartAsync(_upstreams, static s =>
        {
            s["Cutover:Rollout:Mode"] = "auto";
            s["Cutover:Rollout:Steps:0:Percent"] = "10";
            s["Cutover:Rollout:Steps:0:Soak"] = "01:00:00";
            s["Cutover:Rollout:Steps:1:Percent"] = "50";
            s["Cutover:Rollout:Steps:1:Soak"] = "01:00:00";
        }, cancellationToken: Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task UnifiedFailingThirtyPercentThreeSecondsAfterAStep_RolledBackWithinFifteenSecondsOfTheFault()
    {
        // arrange: traffic first, at 0%, so the step lands in the middle of a minute already full of decisions
        await using var load = Load.Start(_router, PerSecond);
        await load.WaitForSentAsync(PerSecond * 2);
        await CommandAsync("start", "week 6");
        Assert.Equal(10m, Routing.Percent);
        var afterStep = load.Sent;

        // act: 3 s of traffic after the step, then 30% of what reaches unified fails
        await load.WaitForSentAsync(afterStep + (PerSecond * 3));
        _upstreams.FailShare("unified", 0.3, 503);
        var fault = Stopwatch.StartNew();
        await Eventually.WaitAsync(() => Routing.Percent == 0m, TimeSpan.FromSeconds(30), "the rollback to 0%");
        var elapsed = fault.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"fault to rollback: {elapsed.TotalSeconds:0.00} s");

        // assert: back to 0% (Rollout:OnCritical zero) within 15 s of the fault starting, by the controller
        Assert.True(elapsed <= Limit, $"rolled back {elapsed.TotalSeconds:0.0} s after the fault started; at most {Limit.TotalSeconds} s");
        var state = await _router.Service<RolloutService>().CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Halted, 0m), (state.Status, state.Percent));
        var rollback = Assert.Single(await _router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        Assert.Equal(("system", 10m, 0m), (rollback.Actor, rollback.FromPercent, rollback.ToPercent));
        var errorRate = JsonDocument.Parse(rollback.Metrics).RootElement.GetProperty(HealthEvaluator.ErrorRate);
        Assert.Equal("critical", errorRate.GetProperty("state").GetString());
        Assert.Contains("since the change at", errorRate.GetProperty("message").GetString());
        await AssertAllAnsweredAsync(load);
    }

    [Fact]
    public async Task HealthyTrafficForThirtySecondsAfterAStep_NoRollback()
    {
        // arrange
        await using var load = Load.Start(_router, PerSecond);
        await load.WaitForSentAsync(PerSecond * 2);
        await CommandAsync("start", "week 6");
        var afterStep = load.Sent;

        // act: 30 s of healthy traffic after the step, about fifteen fast looks and one full one
        await load.WaitForSentAsync(afterStep + (PerSecond * 30));

        // assert: still soaking the first step, nothing rolled back, and the fast look had enough to judge: it saw ok,
        // not too little (without the since-change window, the fast look would have said insufficient and proven nothing)
        var state = await _router.Service<RolloutService>().CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Soaking, 10m), (state.Status, state.Percent));
        Assert.Equal(10m, Routing.Percent);
        Assert.Empty(await _router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        var sinceChange = await _router.Service<HealthService>().EvaluateSinceChangeAsync(Cancel);
        Assert.All(sinceChange.Checks, static c => Assert.True(c.State == HealthState.Ok, $"{c.Name}: {c.State} {c.Message}"));
        await AssertAllAnsweredAsync(load);
    }

    /// <summary>Every webhook answered 200; if not, what the load saw and what the decision log says went wrong, to tell a slow machine from a fault.</summary>
    private async Task AssertAllAnsweredAsync(Load load)
    {
        if (load.Failed == 0)
        {
            return;
        }

        var page = await _router.Service<IDecisionStore>().ReadDecisionsAsync(new DecisionQuery(Limit: 20) { ErrorsOnly = true }, Cancel);
        var logged = string.Join("\n", page.Decisions.Select(static d =>
            $"  {d.Decision.At:HH:mm:ss.fff} {d.Decision.Domain} {d.Decision.Route} {d.Decision.Upstream} {d.Decision.StatusCode} fallback={d.Decision.Fallback} {d.Decision.LatencyMs:0} ms {d.Decision.Error}"));
        Assert.Fail($"{load.Failed} of {load.Sent} webhooks not answered 200 ({load.Failures}); the decision log's newest failures and fallbacks:\n{logged}");
    }

    private Core.Routing.RoutingState Routing => _router.Service<RoutingService>().Current.State;

    private async Task CommandAsync(string command, string reason)
    {
        using var response = await _router.AdminAsync(HttpMethod.Post, $"admin/rollout/{command}", $$"""{"reason": "{{reason}}"}""");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    /// <summary>
    /// Webhooks at a steady rate from new users, each a signed POST: every 20 ms it sends what the rate owes since the
    /// start, so a slow moment is caught up rather than lost. Requests in flight are bounded.
    /// </summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly RouterHarness _router;
        private readonly int _perSecond;
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _inFlight = new(64, 64);
        private readonly Task _loop;
        private long _sent;
        private long _failed;
        private long _users;
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

        private Load(RouterHarness router, int perSecond)
        {
            _router = router;
            _perSecond = perSecond;
            _loop = Task.Run(RunAsync);
        }

        public long Sent => Interlocked.Read(ref _sent);

        /// <summary>Webhooks not answered 200: Meta would retry them.</summary>
        public long Failed => Interlocked.Read(ref _failed);

        /// <summary>What the failed webhooks got: each status or exception, with how many.</summary>
        public string Failures => string.Join(", ", _failures.OrderBy(static f => f.Key, StringComparer.Ordinal).Select(static f => $"{f.Key} ×{f.Value}"));

        public static Load Start(RouterHarness router, int perSecond) => new(router, perSecond);

        public Task WaitForSentAsync(long count) =>
            Eventually.WaitAsync(() => Sent >= count, TimeSpan.FromSeconds(60), $"{count} webhooks sent");

        private async Task RunAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            var clock = Stopwatch.StartNew();
            long started = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    var owed = (long)(clock.Elapsed.TotalSeconds * _perSecond);
                    for (; started < owed; started++)
                    {
                        await _inFlight.WaitAsync(_stop.Token);
                        _ = SendAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        private async Task SendAsync()
        {
            try
            {
                var n = Interlocked.Increment(ref _users);
                var user = "2507" + n.ToString("D8", CultureInfo.InvariantCulture);
                using var response = await _router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, Texts[n % Texts.Length])));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // A client timeout is a TaskCanceledException: a webhook Meta would retry, so a failure too.
                Fail(ex.GetType().Name);
            }
            finally
            {
                Interlocked.Increment(ref _sent);
                _inFlight.Release();
            }
        }

        private void Fail(string what)
        {
            Interlocked.Increment(ref _failed);
            _failures.AddOrUpdate(what, 1, static (_, n) => n + 1);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;

            // Let the requests in flight finish before the router goes away.
            for (var i = 0; i < 64; i++)
            {
                await _inFlight.WaitAsync(TimeSpan.FromSeconds(30));
            }

            _stop.Dispose();
            _inFlight.Dispose();
        }
    }
}
