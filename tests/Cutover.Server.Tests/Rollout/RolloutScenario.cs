using System.Globalization;
using System.Net;
using Cutover.Core.Routing;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// What the controller's tests share: a real router over real upstreams and a real store on a fake clock, a plan of
/// five-minute soaks, and one look at a time (traffic from new users, the clock moved one evaluation interval, one
/// evaluation), so a whole plan runs in seconds.
/// </summary>
public abstract class RolloutScenario : IAsyncDisposable
{
    protected static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly string[] Texts = ["a job please", "apartment for rent", "sell my phone", "need a moto ride"];
    private int _users;
    private long _sent;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 10, TimeSpan.Zero));

    protected RecordingUpstreams Upstreams { get; private set; } = null!;

    protected RouterHarness Router { get; private set; } = null!;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private protected RolloutService Rollouts => Router.Service<RolloutService>();

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the router with <paramref name="steps"/> (percent, minimum requests), each soaking five minutes.</summary>
    protected async Task StartRouterAsync(
        string mode, (int Percent, int MinRequests)[] steps, long healthMinRequests, Action<Dictionary<string, string?>>? configure = null)
    {
        Upstreams = await RecordingUpstreams.StartAsync(Cancel);
        Router = await RouterHarness.StartAsync(Upstreams, s =>
        {
            s["Cutover:Privacy:UserKeys"] = "raw";
            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
            s["Cutover:Health:MinRequests"] = healthMinRequests.ToString(CultureInfo.InvariantCulture);
            s["Cutover:Health:LatencyMinRequests"] = healthMinRequests.ToString(CultureInfo.InvariantCulture);
            s["Cutover:Health:RecentWindow"] = "00:01:00";
            s["Cutover:Rollout:Mode"] = mode;
            s["Cutover:Rollout:EvaluationInterval"] = "00:00:30";
            for (var i = 0; i < steps.Length; i++)
            {
                s[$"Cutover:Rollout:Steps:{i}:Percent"] = steps[i].Percent.ToString(CultureInfo.InvariantCulture);
                s[$"Cutover:Rollout:Steps:{i}:Soak"] = "00:05:00";
                s[$"Cutover:Rollout:Steps:{i}:MinRequests"] = steps[i].MinRequests.ToString(CultureInfo.InvariantCulture);
            }

            configure?.Invoke(s);
        }, Time, Cancel);
        _sent = 0;
    }

    /// <summary>Sends <paramref name="posts"/> messages from new users, waits until they are logged, moves the clock one interval, evaluates.</summary>
    protected async Task LookAsync(int posts, int failEveryNthUnified = 0)
    {
        await SendAsync(posts, failEveryNthUnified);
        Time.Advance(Interval);
        await Rollouts.EvaluateAsync(Cancel);
    }

    /// <summary>Sends <paramref name="posts"/> messages from new users (every nth routed to unified failing) and waits until they are logged.</summary>
    protected async Task SendAsync(int posts, int failEveryNthUnified = 0)
    {
        var bucketing = Router.Service<RouterTopology>().Bucketing;
        var threshold = Bucketing.ThresholdOf(Router.Service<RoutingService>().Current.State.Percent);
        var unifiedSeen = 0;
        for (var i = 0; i < posts; i++)
        {
            var user = $"2507{Interlocked.Increment(ref _users):D8}";
            var text = Texts[i % Texts.Length];
            var fail = failEveryNthUnified > 0 && text != "need a moto ride" && bucketing.BucketOf(user) < threshold
                && ++unifiedSeen % failEveryNthUnified == 0;
            Upstreams.Respond("unified", fail ? 503 : 200);
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, text)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Upstreams.Respond("unified", 200);
        _sent += posts;
        await Router.WaitForDecisionsAsync(_sent);
    }

    protected async Task<HttpResponseMessage> CommandAsync(string command, string reason)
    {
        var response = await Router.AdminAsync(HttpMethod.Post, $"admin/rollout/{command}", $$"""{"reason": "{{reason}}"}""");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return response;
    }

    protected async Task<List<AuditEvent>> HistoryAsync() =>
        [.. (await Router.Service<ICutoverStore>().HistoryAsync(new HistoryQuery(1000), Cancel)).Reverse()];
}
