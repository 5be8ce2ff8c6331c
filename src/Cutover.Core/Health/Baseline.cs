using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Core.Health;

/// <summary>
/// The runbooks' "record these BEFORE migration": legacy's requests, latency and error rate per domain over a window,
/// captured by an operator, so unified can later be held against what legacy did before it took any traffic.
/// </summary>
public sealed record Baseline(
    long Id, DateTimeOffset CapturedAt, TimeSpan Window, string Actor, string Reason, IReadOnlyList<BaselineDomain> Domains, BaselineDomain Total)
{
    public static Baseline Capture(StatsReport stats, TimeSpan window, string actor, string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var domains = stats.Routes.Where(static r => r.Route == Route.Legacy).Select(static r => Of(r.Domain, r)).ToList();
        return new Baseline(0, at, window, actor, reason, domains, Of(StatsReport.AllDomains, stats.Total(Route.Legacy)));
    }

    private static BaselineDomain Of(string domain, RouteStats s) => new(domain, s.RequestCount, s.AvgResponseMs, s.P95Ms, s.ErrorRatePct);
}
