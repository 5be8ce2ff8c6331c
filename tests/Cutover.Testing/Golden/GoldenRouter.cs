using System.Globalization;
using System.Net;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Testing.Golden;

/// <summary>
/// The server the golden tests drive: real upstreams, a real router on a temporary SQLite store, and a fake clock, set
/// up so that every answer is the same from run to run.
/// </summary>
/// <remarks>
/// What makes it deterministic, and why each setting is there:
/// <list type="bullet">
/// <item>The clock is a <see cref="FakeTimeProvider"/> that moves only when the scenario moves it, or when an upstream
/// "takes" its <see cref="LatencyOf"/> (it moves the clock before answering), so every time and every latency in an
/// answer is known.</item>
/// <item><c>Rollout:EvaluationInterval</c>, <c>Rollout:FastCheckInterval</c>, <c>Health:ProbeInterval</c> (1 h) and <c>Store:PollInterval</c> (10 min)
/// are longer than a scenario moves the clock, so no background look races the scenario: the scenario asks for a
/// rollout look itself (<see cref="EvaluateRolloutAsync"/>); the probes run once, at start.</item>
/// <item><c>Privacy:HashKey</c> is fixed, so hashed user keys in audit events are the same every run.</item>
/// <item><c>DecisionLog:FlushInterval</c> is 0: the writer would otherwise wait on the fake clock forever.</item>
/// <item>Start-up waits until this instance leads (it says so in every status) and has probed its upstreams.</item>
/// </list>
/// </remarks>
public sealed class GoldenRouter : IAsyncDisposable
{
    public const string OperateToken = "golden-operate-token-0123";
    public const string ReadToken = "golden-read-token-0123456";

    /// <summary>The fake clock's start: 2026-11-25 09:00:10 UTC, ten seconds into a minute as a real start would be.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 10, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly string[] Texts =
        ["I am looking for a job", "apartment for rent in Kigali", "I want to sell my phone", "need a moto ride to town", "hello"];

    private long _decisions;

    private GoldenRouter(FakeTimeProvider time, RecordingUpstreams upstreams, RouterHarness router)
    {
        Time = time;
        Upstreams = upstreams;
        Router = router;
    }

    public FakeTimeProvider Time { get; }

    public RecordingUpstreams Upstreams { get; }

    public RouterHarness Router { get; }

    /// <summary>The settings of every golden host, before <c>configure</c> adjusts them.</summary>
    private static void Defaults(Dictionary<string, string?> s, RecordingUpstreams upstreams)
    {
        s["Cutover:Admin:Tokens:0:Name"] = "alice";
        s["Cutover:Admin:Tokens:0:Token"] = OperateToken;
        s["Cutover:Admin:Tokens:0:Role"] = "operate";
        s["Cutover:Admin:Tokens:1:Name"] = "dashboard";
        s["Cutover:Admin:Tokens:1:Token"] = ReadToken;
        s["Cutover:Admin:Tokens:1:Role"] = "read";
        s["Cutover:Privacy:HashKey"] = "golden-hash-key-0123456789";
        s["Cutover:DecisionLog:FlushInterval"] = "00:00:00";
        s["Cutover:Store:PollInterval"] = "00:10:00";
        s["Cutover:Retention:Interval"] = "1.00:00:00";
        s["Cutover:Health:MinRequests"] = "20";
        s["Cutover:Health:LatencyMinRequests"] = "20";
        s["Cutover:Health:RecentWindow"] = "00:01:00";
        s["Cutover:Health:ProbeInterval"] = "01:00:00";
        // Handlers the upstreams name themselves after (RecordingUpstreams): unified, and the legacy mobility handler, which
        // every scenario keeps busy; the routable domains' legacy handlers would go unseen at 100% and hold the last step.
        s["Cutover:Handlers:Expected:0"] = "mobility";
        s["Cutover:Handlers:Expected:1"] = "unified";
        s["Cutover:Upstreams:unified:HealthUrl"] = upstreams.HealthUrlOf("unified");
        s["Cutover:Upstreams:jobs:HealthUrl"] = upstreams.HealthUrlOf("jobs");
        s["Cutover:Rollout:Mode"] = "manual";
        s["Cutover:Rollout:EvaluationInterval"] = "01:00:00";
        s["Cutover:Rollout:FastCheckInterval"] = "01:00:00";
        // Two steps, so that one scenario reaches every state, 'complete' included, in minutes of fake time.
        s["Cutover:Rollout:Steps:0:Percent"] = "10";
        s["Cutover:Rollout:Steps:0:Soak"] = "00:02:00";
        s["Cutover:Rollout:Steps:0:MinRequests"] = "20";
        s["Cutover:Rollout:Steps:1:Percent"] = "100";
        s["Cutover:Rollout:Steps:1:Soak"] = "00:02:00";
        s["Cutover:Rollout:Steps:1:MinRequests"] = "20";
    }

    /// <summary>Starts upstreams (the jobs probe answering 503) and the router, and waits until it leads and has probed.</summary>
    public static async Task<GoldenRouter> StartAsync(
        Action<Dictionary<string, string?>>? configure = null,
        Action<IServiceCollection>? services = null,
        CancellationToken cancellationToken = default)
    {
        var time = new FakeTimeProvider(Start);
        var upstreams = await RecordingUpstreams.StartAsync(cancellationToken);
        // A legacy probe failing once: the probes in status and health show a failure without judging it (that takes 2).
        upstreams.ProbeResponds("jobs", 503);
        RouterHarness router;
        var probed = 0;
        try
        {
            router = await RouterHarness.StartAsync(upstreams, s =>
            {
                Defaults(s, upstreams);
                configure?.Invoke(s);
                probed = s.Count(static kv => kv.Key.EndsWith(":HealthUrl", StringComparison.Ordinal) && kv.Value is not null);
            }, time, cancellationToken, services);
        }
        catch
        {
            await upstreams.DisposeAsync();
            throw;
        }

        // Each upstream takes a known time to answer, on the fake clock: latencies, percentiles and the checks built on
        // them are then figures worth pinning rather than zeros.
        upstreams.Observe = r => time.Advance(LatencyOf(r));
        var golden = new GoldenRouter(time, upstreams, router);
        try
        {
            var leadership = router.Service<RolloutLeadership>();
            await Eventually.WaitAsync(() => leadership.IsLeader, Patience, "the golden router to lead");
            var probes = router.Service<ProbeService>();
            await Eventually.WaitAsync(() => probes.Results.Count == probed, Patience, $"{probed} upstream probes");
        }
        catch
        {
            await golden.DisposeAsync();
            throw;
        }

        return golden;
    }

    /// <summary>Moves the clock.</summary>
    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>Moves the clock to <paramref name="timeOfDay"/> on the start's day; refuses to go back.</summary>
    public void AdvanceTo(TimeSpan timeOfDay)
    {
        var target = new DateTimeOffset(Start.Date, TimeSpan.Zero) + timeOfDay;
        var now = Time.GetUtcNow();
        if (target <= now)
        {
            throw new InvalidOperationException($"the scenario is already at {now:HH:mm:ss.fff}, past {target:HH:mm:ss}: it sent more than it planned for");
        }

        Time.Advance(target - now);
    }

    /// <summary>
    /// How long an upstream takes for a request: unified 20 to 59 ms, a legacy upstream 30 to 79 ms, spread by the order
    /// requests arrive in (sequential in a scenario, so the same every run).
    /// </summary>
    public static TimeSpan LatencyOf(ReceivedRequest request) => request.Upstream switch
    {
        "" => TimeSpan.Zero,
        "unified" => TimeSpan.FromMilliseconds(20 + request.Sequence * 7 % 40),
        _ => TimeSpan.FromMilliseconds(30 + request.Sequence * 13 % 50),
    };

    /// <summary>
    /// Sends <paramref name="count"/> signed webhooks of one update each, from users <c>2507880{batch}0000</c> on: messages
    /// cycling through jobs, property, marketplace, mobility and unclassified texts, every tenth a status of the user
    /// before; then waits until the decision log has written them all. The clock moves only by the upstreams' latencies.
    /// </summary>
    public async Task SendAsync(int batch, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"wamid.golden.{batch}.{i:D4}";
            var message = i % 10 == 9
                ? new Msg(UserOf(batch, i - 1), "status", "delivered", Id: id)
                : new Msg(UserOf(batch, i), "text", Texts[i % Texts.Length], Id: id);
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(message));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"webhook {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        _decisions += count;
        await Router.WaitForDecisionsAsync(_decisions, Patience);
    }

    /// <summary>The user of message <paramref name="i"/> of batch <paramref name="batch"/>.</summary>
    public static string UserOf(int batch, int i) => string.Create(CultureInfo.InvariantCulture, $"2507880{batch}{i:D4}");

    /// <summary>One look of the rollout controller, as its timer would take it.</summary>
    public Task EvaluateRolloutAsync(CancellationToken cancellationToken = default) =>
        Router.Service<RolloutService>().EvaluateAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
    }
}
