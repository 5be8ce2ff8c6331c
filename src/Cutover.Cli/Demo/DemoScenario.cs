using System.Globalization;
using Cutover.Core.Rollout;

namespace Cutover.Cli.Demo;

/// <summary>
/// The story <c>cutover demo</c> tells and the configuration that makes it fit in about a minute: the runbooks' plan
/// (10% 4 h, 25% 4 h, 35% 6 h, 50% 24 h, 75% 48 h, 100% 48 h) in auto mode, a look every 30 simulated minutes with a
/// burst of traffic standing for those 30 minutes, and a bad unified deploy two hours into 35%.
/// </summary>
internal static class DemoScenario
{
    /// <summary>Cutover's default routable domains; the generator's users of these are the ones the rollout moves.</summary>
    public static readonly string[] RoutableDomains = ["jobs", "marketplace", "property"];

    /// <summary>Simulated time between looks: the plan's 134 hours are about 270 looks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(30);

    /// <summary>
    /// POSTs per look (about 2.6 updates each). Enough for the gates below to judge 10% within the health window;
    /// more only makes the demo slower.
    /// </summary>
    public const int PostsPerLook = 200;

    /// <summary>Unified requests each step must see before it may advance (the real default, 500, wants more traffic).</summary>
    public const long StepMinRequests = 150;

    /// <summary>
    /// Requests a health check needs. The window is the default hour, which holds three bursts; at 10% they carry
    /// about 90 unified updates, so the real default (100) would hold the first step forever.
    /// </summary>
    public const long HealthMinRequests = 50;

    /// <summary>The injected fault: unified answers 503 to this share of its requests, ten times the critical error rate.</summary>
    public const double FaultShare = 0.08;

    public static string FaultPercent => (FaultShare * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The step (0-based) whose soak the fault hits: 35%, as in the runbooks' cautionary tale.</summary>
    public const int FaultStep = 2;

    /// <summary>How far into <see cref="FaultStep"/> the bad deploy lands, so 35% is first seen healthy.</summary>
    public static readonly TimeSpan FaultAfter = TimeSpan.FromHours(2);

    /// <summary>
    /// How long the operator takes to fix unified before resuming. At least the health window, so the bad minutes
    /// have left it when 35% starts again and health judges the fixed unified only.
    /// </summary>
    public static readonly TimeSpan OperatorDelay = TimeSpan.FromHours(1);

    /// <summary>Looks the fault may run before the demo gives up waiting for the rollback (it should take one).</summary>
    public const int FaultLooksAtMost = 4;

    public static readonly TimeSpan HealthWindow = TimeSpan.FromHours(1);

    /// <summary>The plan's soaks plus the rollback and the operator's fix: the most looks a healthy run needs, doubled.</summary>
    public static int MaxLooks => (int)(2 * (RolloutPlan.DefaultSteps.Sum(static s => s.Soak.Ticks) / Interval.Ticks + 24));

    public static IReadOnlyList<RolloutStep> Steps { get; } =
        [.. RolloutPlan.DefaultSteps.Select(static s => s with { MinRequests = StepMinRequests })];

    /// <summary>The configuration keys the demo's router runs with, beside its store, secret and upstreams.</summary>
    public static Dictionary<string, string?> Settings(int smallestRoutableDomainUsers)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cutover:Rollout:Mode"] = "auto",
            ["Cutover:Rollout:EvaluationInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),

            // The demo takes every look itself, after each burst (DemoWalk); the controller's fast look, on the demo's
            // clock that also runs on with real time, would otherwise judge a burst half sent.
            ["Cutover:Rollout:FastCheckInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
            ["Cutover:Health:Window"] = HealthWindow.ToString("c", CultureInfo.InvariantCulture),
            ["Cutover:Health:MinRequests"] = HealthMinRequests.ToString(CultureInfo.InvariantCulture),
            ["Cutover:Health:LatencyMinRequests"] = HealthMinRequests.ToString(CultureInfo.InvariantCulture),
            ["Cutover:Health:SplitTolerancePoints"] = SplitTolerance(smallestRoutableDomainUsers).ToString("0.##", CultureInfo.InvariantCulture),

            // A burst stands for half an hour of traffic and a simulated user's next turn comes hours of simulated time
            // later; in life the turns of a conversation are minutes apart. Without this, "yes" and photos would fall
            // out of memory into the fallback domain.
            ["Cutover:Memory:Ttl"] = "7.00:00:00",

            // The demo waits for each burst to be written before it looks; a shorter flush wait saves time per look.
            ["Cutover:DecisionLog:FlushInterval"] = "00:00:00.005",
        };
        for (var i = 0; i < Steps.Count; i++)
        {
            settings[$"Cutover:Rollout:Steps:{i}:Percent"] = Steps[i].Percent.ToString(CultureInfo.InvariantCulture);
            settings[$"Cutover:Rollout:Steps:{i}:Soak"] = Steps[i].Soak.ToString("c", CultureInfo.InvariantCulture);
            settings[$"Cutover:Rollout:Steps:{i}:MinRequests"] = Steps[i].MinRequests.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    /// <summary>
    /// Users, not requests, are split, and a demo domain has a few hundred users: at 50% of 450 users the share
    /// itself varies by ±2.4 points from one salt to another. The tolerance is three of those standard errors (at
    /// least the real default, 2 points), so the split gate judges the router, not the luck of a small population.
    /// </summary>
    public static double SplitTolerance(int users) => Math.Clamp(300 * Math.Sqrt(0.25 / Math.Max(users, 1)), 2, 50);
}
