using System.Globalization;

namespace Cutover.Core.Rollout;

/// <summary>
/// When a domain's legacy handler can be retired after a complete rollout, pure: 30 days at 100%, with no legacy
/// traffic and no rollback in them. The caller reads the figures (the rollups, the last rollback) and asks here.
/// </summary>
public static class Decommission
{
    /// <summary>How long a domain must have been at 100%, untouched by a rollback and without legacy traffic.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromDays(30);

    /// <param name="domain">The domain judged.</param>
    /// <param name="percent">Routing's percent for it now.</param>
    /// <param name="atFullSince">Since when the rollout has been at 100% (its last step's start).</param>
    /// <param name="lastRollbackAt">When the last rollback was, if any.</param>
    /// <param name="legacyUpdates">Updates legacy took for the domain in the last <see cref="QuietPeriod"/>.</param>
    /// <param name="now">Now.</param>
    public static DecommissionVerdict Judge(
        string domain, decimal percent, DateTimeOffset atFullSince, DateTimeOffset? lastRollbackAt, long legacyUpdates, DateTimeOffset now)
    {
        var since = now - QuietPeriod;
        var reason = percent < 100 ? $"at {RolloutDecider.Pct(percent)}, not 100%"
            : atFullSince > since ? $"at 100% for {(now - atFullSince).TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} of the 30 days"
            : lastRollbackAt is { } at && at > since ? $"a rollback on {at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is within the 30 days"
            : legacyUpdates > 0 ? $"legacy still took {legacyUpdates.ToString("N0", CultureInfo.InvariantCulture)} updates in the last 30 days"
            : null;
        return new DecommissionVerdict(domain, reason is null,
            reason ?? "30 days at 100% with no legacy traffic and no rollback: its legacy handler can be retired");
    }
}
