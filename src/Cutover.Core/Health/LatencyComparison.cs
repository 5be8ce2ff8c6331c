namespace Cutover.Core.Health;

/// <summary>
/// Is unified's p95 latency worse than legacy's? A rule, not a significance test: unified passes while
/// its p95 ≤ legacy p95 × 1.25 + 50 ms, judged once each side has at least 200 requests.
/// </summary>
/// <remarks>
/// <para>
/// Why not a test like the error-rate one: a p95 comes from per-minute latency sketches, not from
/// independent yes/no events. Latencies within a minute are correlated (a slow database slows everyone),
/// sketches bin values, and there is no simple null distribution of "the two p95s are equal" to build a
/// martingale on. With 200 samples, the 95th percentile rests on about the 10 slowest requests, enough that
/// it no longer jumps with one slow call; the ratio absorbs ordinary noise between two such estimates,
/// and the slack keeps a few milliseconds on a fast legacy handler (20 ms against 30 ms) from counting as a
/// 50% regression.
/// </para>
/// <para>
/// This only compares the handlers. The absolute p95 thresholds (warn above 2 s, critical above 3 s) stay
/// as separate guards, so a unified handler cannot pass by being merely as slow as a slow legacy one.
/// </para>
/// </remarks>
public static class LatencyComparison
{
    /// <summary>
    /// Applies the rule. p95s are in milliseconds and must be finite and non-negative (pass 0 for a side
    /// without requests: it is reported as insufficient and its p95 is not judged).
    /// </summary>
    public static LatencyComparisonResult Compare(
        double unifiedP95Ms,
        long unifiedRequests,
        double legacyP95Ms,
        long legacyRequests,
        LatencyComparisonOptions? options = null)
    {
        CheckMilliseconds(unifiedP95Ms, nameof(unifiedP95Ms));
        CheckMilliseconds(legacyP95Ms, nameof(legacyP95Ms));
        ArgumentOutOfRangeException.ThrowIfNegative(unifiedRequests);
        ArgumentOutOfRangeException.ThrowIfNegative(legacyRequests);
        options ??= LatencyComparisonOptions.Default;

        var unifiedNeeded = Math.Max(0, options.MinRequestsPerSide - unifiedRequests);
        var legacyNeeded = Math.Max(0, options.MinRequestsPerSide - legacyRequests);
        var allowed = legacyP95Ms * options.Ratio + options.SlackMs;
        var verdict = unifiedNeeded > 0 || legacyNeeded > 0
            ? LatencyVerdict.Insufficient
            : unifiedP95Ms <= allowed ? LatencyVerdict.Ok : LatencyVerdict.Worse;
        return new LatencyComparisonResult
        {
            Verdict = verdict,
            UnifiedP95Ms = unifiedP95Ms,
            LegacyP95Ms = legacyP95Ms,
            UnifiedRequests = unifiedRequests,
            LegacyRequests = legacyRequests,
            MinRequestsPerSide = options.MinRequestsPerSide,
            AllowedP95Ms = allowed,
            UnifiedRequestsNeeded = unifiedNeeded,
            LegacyRequestsNeeded = legacyNeeded,
        };
    }

    private static void CheckMilliseconds(double value, string name)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(name, value, "A p95 must be a finite number of milliseconds, at least 0.");
        }
    }
}
