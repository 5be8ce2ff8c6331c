using Cutover.Core.DecisionLog;

namespace Cutover.Core.Stats;

/// <summary>Turns the decision stream into rollups: the only way stats are fed.</summary>
public static class Rollups
{
    /// <summary>The handler of a row whose upstream named none (no answer, or no header).</summary>
    public const string NoHandler = "";

    public static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>
    /// The route failed this update: its upstream did not take it, or unified failed and legacy had to
    /// (a fallback is a unified error even though the webhook was delivered).
    /// </summary>
    public static bool IsFailure(in DecisionRecord decision) => !decision.Success || decision.Fallback;

    /// <summary>The start of the period of <paramref name="resolution"/> holding <paramref name="atMs"/> (Unix ms).</summary>
    public static long PeriodStart(long atMs, TimeSpan resolution)
    {
        var size = (long)resolution.TotalMilliseconds;
        return atMs - (((atMs % size) + size) % size);
    }

    /// <summary>One cell per period × domain × route × handler present in <paramref name="decisions"/>.</summary>
    public static Dictionary<RollupKey, RollupCell> Aggregate(IEnumerable<DecisionRecord> decisions, TimeSpan resolution)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (resolution <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "A rollup period must be positive.");
        }

        var cells = new Dictionary<RollupKey, RollupCell>();
        foreach (var decision in decisions)
        {
            var key = new RollupKey(
                PeriodStart(decision.At.ToUnixTimeMilliseconds(), resolution), decision.Domain, decision.Route,
                decision.Handler ?? NoHandler);
            if (!cells.TryGetValue(key, out var cell))
            {
                cell = new RollupCell();
                cells.Add(key, cell);
            }

            cell.Add(decision);
        }

        return cells;
    }
}
