using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Core.Health;

/// <summary>
/// The decisions since the last change that moved the split (a percent, a rollout step, the kill switch, a domain made
/// routable), from the change's exact time: what the first looks after a change judge, before a whole minute of rollups
/// exists. <see cref="From"/> is <see cref="ChangedAt"/> unless the change is older than the cap the reader applied
/// (<c>Health:RecentWindow</c>), in which case the window slides: <see cref="FromChange"/> tells which.
/// </summary>
public sealed record ChangeWindow(DateTimeOffset ChangedAt, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DecisionSlice> Slices)
{
    /// <summary>
    /// Where a window read at <paramref name="now"/> starts: at the change, or about <paramref name="cap"/> back from now
    /// when the change is older (an hour of good traffic must not dilute a fault that started a few seconds ago). A window
    /// that slides starts on the edge of a <paramref name="slice"/> at or before the cap, never before the change, so a
    /// reader that keeps the slices it counted (they are aligned to the epoch) finds them whole when the window moves on.
    /// </summary>
    public static DateTimeOffset StartOf(DateTimeOffset changedAt, DateTimeOffset now, TimeSpan cap, TimeSpan slice)
    {
        if (now - cap <= changedAt)
        {
            return changedAt;
        }

        var edge = DateTimeOffset.FromUnixTimeMilliseconds(Rollups.PeriodStart((now - cap).ToUnixTimeMilliseconds(), slice));
        return edge > changedAt ? edge : changedAt;
    }

    /// <summary>The window starts at the change itself, not later.</summary>
    public bool FromChange => From <= ChangedAt;

    /// <summary>The unified decisions of every domain together.</summary>
    public DecisionSlice Unified => Sum(Route.Unified);

    /// <summary>The decisions of <paramref name="route"/>, every domain and slice together.</summary>
    public DecisionSlice Sum(Route route)
    {
        long requests = 0, errors = 0, warn = 0, critical = 0;
        foreach (var s in Slices)
        {
            if (s.Route == route)
            {
                requests += s.Requests;
                errors += s.Errors;
                warn += s.SlowerThanWarn;
                critical += s.SlowerThanCritical;
            }
        }

        return new DecisionSlice(From.ToUnixTimeMilliseconds(), StatsReport.AllDomains, route, requests, errors, warn, critical);
    }

    /// <summary>
    /// One interval per slice and routable domain, in time order: what the sequential comparison with legacy reads. The
    /// comparison is valid for any split of time fixed in advance, so slices of a few seconds serve as well as minutes.
    /// </summary>
    public IReadOnlyList<ComparisonInterval> Intervals(IReadOnlyDictionary<string, decimal> routable)
    {
        ArgumentNullException.ThrowIfNull(routable);
        var byKey = new Dictionary<(long, string), (long Ur, long Ue, long Lr, long Le)>();
        foreach (var s in Slices)
        {
            if (!routable.ContainsKey(s.Domain))
            {
                continue;
            }

            var c = byKey.GetValueOrDefault((s.StartMs, s.Domain));
            byKey[(s.StartMs, s.Domain)] = s.Route == Route.Unified
                ? (c.Ur + s.Requests, c.Ue + s.Errors, c.Lr, c.Le)
                : (c.Ur, c.Ue, c.Lr + s.Requests, c.Le + s.Errors);
        }

        return [.. byKey
            .OrderBy(static e => e.Key.Item1)
            .ThenBy(static e => e.Key.Item2, StringComparer.Ordinal)
            .Select(static e => new ComparisonInterval(e.Value.Ur, e.Value.Ue, e.Value.Lr, e.Value.Le))];
    }
}
