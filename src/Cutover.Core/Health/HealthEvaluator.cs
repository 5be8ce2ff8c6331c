using System.Globalization;
using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Core.Health;

/// <summary>
/// Judges unified's health: absolute guards (error rate, p95), unified against legacy (a sequential test for
/// errors, a ratio with slack for p95), the split against the configured percent, and handler coverage. Every
/// check that lacks data says so, with how many more requests it needs and about how long they take.
/// </summary>
public static class HealthEvaluator
{
    public const string ErrorRate = "error_rate";
    public const string P95 = "p95";
    public const string ErrorsAgainstLegacy = "unified_vs_legacy_errors";
    public const string LatencyAgainstLegacy = "unified_vs_legacy_latency";
    public const string Split = "split";
    public const string HandlerCoverage = "handler_coverage";
    public const string HandlerFailures = "handler_failures";
    public const string AgainstBaseline = "unified_vs_baseline";

    public static HealthReport Evaluate(HealthInputs inputs, HealthThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(thresholds);
        var unified = inputs.Window.Total(Route.Unified);
        var rate = PerMinute(unified.RequestCount, inputs.Window);
        var recent = inputs.Recent?.Total(Route.Unified);
        var exact = inputs.Exact is { } w && w.Unified.Requests >= thresholds.MinRequests ? w : null;
        var checks = new List<HealthCheck>
        {
            Worse(
                Worse(ErrorRateCheck(unified, rate, thresholds, Span(inputs.Window)), recent, r => ErrorRateCheck(r, rate, thresholds, Span(inputs.Recent!)), thresholds),
                exact is null ? null : ErrorRateCheck(StatsOf(exact.Unified), rate, thresholds, Span(exact))),
            Worse(
                Worse(P95Check(unified, rate, thresholds, Span(inputs.Window)), recent, r => P95Check(r, rate, thresholds, Span(inputs.Recent!)), thresholds),
                exact is null ? null : SlowShareCheck(exact.Unified, rate, thresholds, Span(exact))),
            ErrorComparisonCheck(inputs.Intervals, rate, thresholds),
            LatencyComparisonCheck(inputs, rate, thresholds),
        };
        checks.Add(SplitCheck(inputs, thresholds));
        checks.Add(CoverageCheck(inputs.Window, rate, thresholds));
        checks.Add(FailingHandlersCheck(inputs.Window, thresholds));
        if (inputs.Baseline is { } baseline)
        {
            checks.Add(BaselineCheck(unified, baseline, rate, thresholds));
        }

        checks.AddRange(inputs.ExtraChecks ?? []);
        return new HealthReport(inputs.Now, HealthReport.Worst(checks), checks);
    }

    /// <summary>
    /// The fast look's judgement, from the decisions since the last change (<paramref name="window"/>, read from the decision
    /// log from the change's exact time): the error-rate guard, the p95 guard, and, while the window still starts at the
    /// change, the sequential comparison with legacy. The same rules and minimum samples as <see cref="Evaluate"/> (a
    /// guard needs <see cref="HealthThresholds.MinRequests"/> unified requests, counted from the change's exact time, and
    /// <see cref="HealthThresholds.MinErrors"/> failures), so a few early errors stay ok. Only its critical verdicts act:
    /// it sees too little to hold or advance a rollout, which the full look does.
    /// </summary>
    /// <remarks>
    /// The comparison is read only while the window starts at the change: it is always valid for one growing sequence
    /// read as often as you like, not for a window that slides (each slide would be a new test, with its own chance of a
    /// false alarm). Once the window slides the full look's comparison (since the change, every evaluation interval) carries it.
    /// </remarks>
    public static HealthReport EvaluateSinceChange(
        ChangeWindow window, IReadOnlyDictionary<string, decimal> expectedPercent, HealthThresholds thresholds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(expectedPercent);
        ArgumentNullException.ThrowIfNull(thresholds);
        var unified = window.Unified;
        var minutes = (window.To - window.From).TotalMinutes;
        var rate = minutes <= 0 ? 0 : unified.Requests / minutes;
        var span = Span(window);
        var checks = new List<HealthCheck>
        {
            ErrorRateCheck(StatsOf(unified), rate, thresholds, span),
            SlowShareCheck(unified, rate, thresholds, span),
        };
        if (window.FromChange)
        {
            checks.Add(ErrorComparisonCheck(window.Intervals(expectedPercent), rate, thresholds));
        }

        return new HealthReport(now, HealthReport.Worst(checks), checks);
    }

    /// <summary>The worse of two checks of the same thing; <paramref name="candidate"/> is null when it lacks the requests to judge.</summary>
    private static HealthCheck Worse(HealthCheck current, HealthCheck? candidate) =>
        candidate is not null && (candidate.State > current.State || current.State == HealthState.InsufficientData) ? candidate : current;

    /// <summary>The window's check, or the recent window's when that one has enough requests and is worse.</summary>
    private static HealthCheck Worse(HealthCheck window, RouteStats? recent, Func<RouteStats, HealthCheck> judge, HealthThresholds t)
    {
        if (recent is null || recent.RequestCount < t.MinRequests)
        {
            return window;
        }

        var short_ = judge(recent);
        return short_.State > window.State || window.State == HealthState.InsufficientData ? short_ : window;
    }

    private static string Span(StatsReport report) =>
        $"in the last {StatsWindow.Format(TimeSpan.FromMinutes(Math.Max(1, Math.Floor((report.To - report.From).TotalMinutes))))}";

    private static string Span(ChangeWindow window) => window.FromChange
        ? string.Create(CultureInfo.InvariantCulture, $"since the change at {window.ChangedAt:HH:mm:ss}Z")
        : string.Create(CultureInfo.InvariantCulture, $"in the last {Math.Round((window.To - window.From).TotalSeconds):0} s");

    /// <summary>The unified totals of a change window in the shape the guards read; latencies come from the slow counts instead.</summary>
    private static RouteStats StatsOf(DecisionSlice unified) => new(
        StatsReport.AllDomains, Route.Unified, unified.Requests, null, null, null, null, unified.Errors,
        unified.Requests == 0 ? 0 : 100.0 * unified.Errors / unified.Requests, 0, 0, null);

    /// <summary>
    /// The p95 guard from counts: p95 is above a threshold exactly when more than 5% of the requests took longer than it.
    /// The value reported is the share that took longer than the threshold crossed (or than the warning one).
    /// </summary>
    private static HealthCheck SlowShareCheck(DecisionSlice unified, double rate, HealthThresholds t, string span)
    {
        if (unified.Requests < t.MinRequests)
        {
            return Insufficient(P95, unified.Requests, t.MinRequests, rate, "unified requests", t.P95WarnMs);
        }

        var critical = 100.0 * unified.SlowerThanCritical / unified.Requests;
        var warn = 100.0 * unified.SlowerThanWarn / unified.Requests;
        return critical > SlowSharePct
            ? new(P95, HealthState.Critical, critical, t.P95CriticalMs,
                $"{Pct(critical)} of {unified.Requests:N0} unified updates took longer than {Ms(t.P95CriticalMs)} {span}: p95 is above the critical {Ms(t.P95CriticalMs)}")
            : warn > SlowSharePct
                ? new(P95, HealthState.Warn, warn, t.P95WarnMs,
                    $"{Pct(warn)} of {unified.Requests:N0} unified updates took longer than {Ms(t.P95WarnMs)} {span}: p95 is above the warning {Ms(t.P95WarnMs)}")
                : new(P95, HealthState.Ok, warn, t.P95WarnMs,
                    $"{Pct(warn)} of {unified.Requests:N0} unified updates took longer than {Ms(t.P95WarnMs)} {span}: p95 is within {Ms(t.P95WarnMs)}");
    }

    /// <summary>More than this share of requests above a latency puts p95 above it.</summary>
    private const double SlowSharePct = 5;

    private static HealthCheck ErrorRateCheck(RouteStats unified, double rate, HealthThresholds t, string span)
    {
        if (unified.RequestCount < t.MinRequests)
        {
            return Insufficient(ErrorRate, unified.RequestCount, t.MinRequests, rate, "unified requests", t.ErrorRateWarnPct);
        }

        var value = unified.ErrorRatePct;
        var sentence = $"unified failed {unified.ErrorCount:N0} of {unified.RequestCount:N0} updates {span} ({Pct(value)}";
        if (unified.ErrorCount < t.MinErrors && value > t.ErrorRateWarnPct)
        {
            // One failure among a hundred updates is 1%: a rate from so few failures says nothing yet.
            return new(ErrorRate, HealthState.Ok, value, t.ErrorRateWarnPct,
                $"{sentence}; fewer than the {t.MinErrors} failures needed to judge a rate)");
        }

        return value > t.ErrorRateCriticalPct
            ? new(ErrorRate, HealthState.Critical, value, t.ErrorRateCriticalPct, $"{sentence}, above the critical {Pct(t.ErrorRateCriticalPct)})")
            : value > t.ErrorRateWarnPct
                ? new(ErrorRate, HealthState.Warn, value, t.ErrorRateWarnPct, $"{sentence}, above the warning {Pct(t.ErrorRateWarnPct)})")
                : new(ErrorRate, HealthState.Ok, value, t.ErrorRateWarnPct, $"{sentence}, within {Pct(t.ErrorRateWarnPct)})");
    }

    private static HealthCheck P95Check(RouteStats unified, double rate, HealthThresholds t, string span)
    {
        if (unified.RequestCount < t.MinRequests || unified.P95Ms is not { } p95)
        {
            return Insufficient(P95, unified.RequestCount, t.MinRequests, rate, "unified requests", t.P95WarnMs);
        }

        var sentence = $"unified p95 is {Ms(p95)} {span}";
        return p95 > t.P95CriticalMs
            ? new(P95, HealthState.Critical, p95, t.P95CriticalMs, $"{sentence}, above the critical {Ms(t.P95CriticalMs)}")
            : p95 > t.P95WarnMs
                ? new(P95, HealthState.Warn, p95, t.P95WarnMs, $"{sentence}, above the warning {Ms(t.P95WarnMs)}")
                : new(P95, HealthState.Ok, p95, t.P95WarnMs, $"{sentence}, within {Ms(t.P95WarnMs)}");
    }

    private static HealthCheck ErrorComparisonCheck(IEnumerable<ComparisonInterval> intervals, double rate, HealthThresholds t)
    {
        var result = ErrorRateComparison.Evaluate(intervals, t.ErrorComparison);
        if (result.UnifiedRequests < t.MinRequests)
        {
            return Insufficient(ErrorsAgainstLegacy, result.UnifiedRequests, t.MinRequests, rate, "unified requests since the last change",
                result.Threshold);
        }

        var rates = $"unified {Pct(100 * (result.UnifiedErrorRate ?? 0))} against legacy {Pct(100 * (result.LegacyErrorRate ?? 0))}"
            + $" over {result.ErrorsCompared:N0} errors compared since the last change";
        var evidence = result.LikelihoodRatio;
        if (!result.Worse)
        {
            return new(ErrorsAgainstLegacy, HealthState.Ok, evidence, result.Threshold,
                $"no evidence unified fails more often than legacy ({rates}; likelihood ratio {Number(evidence)} < {Number(result.Threshold)})");
        }

        // Significant but small in absolute terms: hold the rollout rather than roll back.
        var state = 100 * (result.UnifiedErrorRate ?? 0) > t.ErrorRateWarnPct ? HealthState.Critical : HealthState.Warn;
        return new(ErrorsAgainstLegacy, state, evidence, result.Threshold,
            $"unified fails more often than legacy ({rates}; likelihood ratio {Number(evidence)} ≥ {Number(result.Threshold)},"
            + $" false alarm rate ≤ {Pct(100 * t.ErrorComparison.Alpha)})");
    }

    private static HealthCheck LatencyComparisonCheck(HealthInputs inputs, double rate, HealthThresholds t)
    {
        var unified = inputs.Window.Total(Route.Unified);
        var legacy = inputs.Window.Total(Route.Legacy);

        // Legacy's speed does not change with the percent: at a high step (100% leaves legacy only what is protected)
        // its figures from before the change, or from the baseline, are the reference.
        if (legacy.RequestCount < t.LatencyComparison.MinRequestsPerSide && inputs.Reference?.Total(Route.Legacy) is { } earlier
            && earlier.RequestCount > legacy.RequestCount)
        {
            legacy = earlier;
        }

        if (legacy.RequestCount < t.LatencyComparison.MinRequestsPerSide && inputs.Baseline is { Total: { P95Ms: { } p95 } before }
            && before.Requests >= t.LatencyComparison.MinRequestsPerSide)
        {
            legacy = legacy with { RequestCount = before.Requests, P95Ms = p95 };
        }

        if (legacy.RequestCount == 0 && unified.RequestCount >= t.LatencyComparison.MinRequestsPerSide)
        {
            // Not a shortage that waiting cures: there is no legacy traffic to compare with. The absolute p95 guard still judges.
            return new(LatencyAgainstLegacy, HealthState.Ok, unified.P95Ms, null,
                "no legacy traffic to compare p95 with (in the window, before the last change, or in a baseline); the p95 guard applies");
        }

        var result = LatencyComparison.Compare(
            unified.P95Ms ?? 0, unified.RequestCount, legacy.P95Ms ?? 0, legacy.RequestCount, t.LatencyComparison);
        return result.Verdict switch
        {
            LatencyVerdict.Insufficient => result.UnifiedRequestsNeeded > 0
                ? Insufficient(LatencyAgainstLegacy, unified.RequestCount, t.LatencyComparison.MinRequestsPerSide, rate, "unified requests",
                    result.AllowedP95Ms)
                : new(LatencyAgainstLegacy, HealthState.InsufficientData, null, null,
                    $"needs {result.LegacyRequestsNeeded:N0} more legacy requests to compare p95 with"),
            LatencyVerdict.Worse => new(LatencyAgainstLegacy, HealthState.Warn, result.UnifiedP95Ms, result.AllowedP95Ms,
                $"unified p95 {Ms(result.UnifiedP95Ms)} is above legacy's {Ms(result.LegacyP95Ms)} × {Number(t.LatencyComparison.Ratio)}"
                + $" + {Ms(t.LatencyComparison.SlackMs)} = {Ms(result.AllowedP95Ms)}"),
            _ => new(LatencyAgainstLegacy, HealthState.Ok, result.UnifiedP95Ms, result.AllowedP95Ms,
                $"unified p95 {Ms(result.UnifiedP95Ms)} is within legacy's {Ms(result.LegacyP95Ms)} × {Number(t.LatencyComparison.Ratio)}"
                + $" + {Ms(t.LatencyComparison.SlackMs)}"),
        };
    }

    /// <summary>
    /// The share of users on unified in the window (since the last change, at most <c>Health:Window</c>) against the
    /// configured percents, over the routable domains together (a user counted in each domain it was seen in) and per
    /// domain where a domain has enough users to judge. Users, not requests, are assigned, by a bucket a keyed hash
    /// makes uniform: with n users at p the number on unified is Binomial(n, p), so the tolerance is three of its
    /// standard errors, never under <see cref="HealthThresholds.SplitTolerancePoints"/> points. A request-based share
    /// was wrong for it: a few busy users move it far more than chance allows for independent requests.
    /// </summary>
    private static HealthCheck SplitCheck(HealthInputs inputs, HealthThresholds t)
    {
        var seen = new Dictionary<string, (long Users, long Unified)>(StringComparer.Ordinal);
        foreach (var d in inputs.Users ?? [])
        {
            var before = seen.GetValueOrDefault(d.Domain);
            seen[d.Domain] = (before.Users + d.Users, before.Unified + d.UnifiedUsers);
        }

        long total = 0, unified = 0;
        double expectedUnified = 0, variance = 0;
        var off = new List<string>();
        var figures = new List<string>();
        foreach (var (domain, percent) in inputs.ExpectedPercent.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            var (n, u) = seen.GetValueOrDefault(domain);
            var p = (double)percent / 100;
            total += n;
            unified += u;
            expectedUnified += n * p;
            variance += n * p * (1 - p);
            if (n > 0 && n >= SplitUsersNeeded(p))
            {
                var actual = 100.0 * u / n;
                var tolerance = SplitTolerance(Math.Sqrt(n * p * (1 - p)) / n, t);
                figures.Add($"{domain} {Pct(actual)} of {n:N0} users on unified (configured {Pct((double)percent)} ± {Number(tolerance)} points)");
                if (Math.Abs(actual - (double)percent) > tolerance)
                {
                    off.Add(domain);
                }
            }
        }

        var mean = total > 0 ? expectedUnified / total
            : inputs.ExpectedPercent.Count > 0 ? inputs.ExpectedPercent.Values.Average(static v => (double)v) / 100 : 0;
        var needed = SplitUsersNeeded(mean);
        if (total < needed)
        {
            return Insufficient(Split, total, needed, PerMinute(total, inputs.Window), "routable users in the window", null);
        }

        var share = 100.0 * unified / total;
        var expected = 100.0 * mean;
        var overall = SplitTolerance(Math.Sqrt(variance) / total, t);
        var detail = figures.Count == 0 ? string.Empty : "; " + string.Join(", ", figures);
        var sentence = $"{Pct(share)} of {total:N0} routable users went to unified, configured {Pct(expected)} ± {Number(overall)} points{detail}";
        if (Math.Abs(share - expected) > overall || off.Count > 0)
        {
            var which = off.Count > 0 ? $"off in {string.Join(", ", off)}" : "off overall";
            return new(Split, HealthState.Warn, share, expected, $"the split is {which}: {sentence}");
        }

        return new(Split, HealthState.Ok, share, expected, sentence);
    }

    /// <summary>Three standard errors of the share (a fraction), in points, never under the configured floor.</summary>
    private static double SplitTolerance(double standardError, HealthThresholds t) => Math.Max(t.SplitTolerancePoints, 300 * standardError);

    /// <summary>
    /// The users a share at <paramref name="p"/> is judged from: at least five expected on each side (where a binomial
    /// looks normal enough for "three standard errors" to mean a false alarm rate of about 0.3%), and never fewer than ten.
    /// At 0% and 100% nothing is random, so ten users are enough to see a user on the wrong side.
    /// </summary>
    private static long SplitUsersNeeded(double p) =>
        p <= 0 || p >= 1 ? MinSplitUsers : Math.Max(MinSplitUsers, (long)Math.Ceiling(5 / Math.Min(p, 1 - p) - 1e-9));

    private const long MinSplitUsers = 10;

    /// <summary>
    /// Unified now against legacy before the migration: p95 with the latency rule, error rate within the warning
    /// threshold of the baseline's. A warning at most: the baseline is old news, today's legacy is the live comparison.
    /// </summary>
    private static HealthCheck BaselineCheck(RouteStats unified, Baseline baseline, double rate, HealthThresholds t)
    {
        var before = baseline.Total;
        if (before.Requests < t.MinRequests || before.P95Ms is not { } legacyP95)
        {
            // A baseline too small to judge against is no reason to hold a rollout: say so, once, as ok.
            return new(AgainstBaseline, HealthState.Ok, null, null,
                $"the baseline of {baseline.CapturedAt:yyyy-MM-dd} holds only {before.Requests:N0} legacy requests, too few to compare with; capture one over a longer window");
        }

        if (unified.RequestCount < t.MinRequests)
        {
            return Insufficient(AgainstBaseline, unified.RequestCount, t.MinRequests, rate, "unified requests", legacyP95);
        }

        var latency = LatencyComparison.Compare(unified.P95Ms ?? 0, unified.RequestCount, legacyP95, before.Requests, t.LatencyComparison);
        var allowedErrors = before.ErrorRatePct + t.ErrorRateWarnPct;
        var slower = latency.Verdict == LatencyVerdict.Worse;
        var failing = unified.ErrorRatePct > allowedErrors && unified.ErrorCount >= t.MinErrors;
        var figures = $"unified p95 {Ms(unified.P95Ms ?? 0)} and {Pct(unified.ErrorRatePct)} errors against legacy's {Ms(legacyP95)} and "
            + $"{Pct(before.ErrorRatePct)} in the baseline of {baseline.CapturedAt:yyyy-MM-dd HH:mm}Z";
        if (slower || failing)
        {
            return new(AgainstBaseline, HealthState.Warn, unified.P95Ms, latency.AllowedP95Ms,
                $"{figures}: {(slower ? $"p95 above the allowed {Ms(latency.AllowedP95Ms)}" : string.Empty)}{(slower && failing ? "; " : string.Empty)}"
                + (failing ? $"errors above the allowed {Pct(allowedErrors)}" : string.Empty));
        }

        var p95Part = latency.Verdict == LatencyVerdict.Insufficient
            ? $"p95 not compared until unified has {t.LatencyComparison.MinRequestsPerSide:N0} requests"
            : "p95 within the allowance";
        return new(AgainstBaseline, HealthState.Ok, unified.P95Ms, latency.AllowedP95Ms, $"{figures}: {p95Part}, errors within {Pct(allowedErrors)}");
    }

    private static HealthCheck CoverageCheck(StatsReport window, double rate, HealthThresholds t)
    {
        if (t.ExpectedHandlers.Count == 0)
        {
            return new(HandlerCoverage, HealthState.Ok, null, null, "no expected handlers configured (Handlers:Expected)");
        }

        // A handler not seen among a handful of requests says little: judge coverage with the same minimum.
        var unified = window.Total(Route.Unified).RequestCount;
        if (unified < t.MinRequests)
        {
            return Insufficient(HandlerCoverage, unified, t.MinRequests, rate, "unified requests", t.ExpectedHandlers.Count);
        }

        var seen = window.Handlers.Select(static h => h.Handler).ToHashSet(StringComparer.Ordinal);
        var missing = t.ExpectedHandlers.Where(h => !seen.Contains(h)).ToList();
        var value = t.ExpectedHandlers.Count - missing.Count;
        return missing.Count == 0
            ? new(HandlerCoverage, HealthState.Ok, value, t.ExpectedHandlers.Count, $"all {t.ExpectedHandlers.Count} expected handlers were seen")
            : new(HandlerCoverage, HealthState.Warn, value, t.ExpectedHandlers.Count,
                $"{missing.Count} of {t.ExpectedHandlers.Count} expected handlers not seen in the window: {string.Join(", ", missing)}");
    }

    private static HealthCheck FailingHandlersCheck(StatsReport window, HealthThresholds t)
    {
        var failing = window.Handlers
            .Where(h => h.Invocations >= t.HandlerFailureMinInvocations && h.Failures == h.Invocations)
            .ToList();
        return failing.Count == 0
            ? new(HandlerFailures, HealthState.Ok, 0, 0, "no handler is failing every request")
            : new(HandlerFailures, HealthState.Critical, failing.Count, 0,
                "failing every request: " + string.Join(", ", failing.Select(static h => $"{h.Handler} ({h.Route.ToName()}, {h.Failures:N0} of {h.Invocations:N0})")));
    }

    private static HealthCheck Insufficient(string name, long have, long need, double perMinute, string what, double? threshold)
    {
        var missing = need - have;
        var wait = perMinute <= 0 ? TimeSpan.Zero : TimeSpan.FromMinutes(missing / perMinute);
        var eta = perMinute <= 0 ? "none are arriving"
            : wait.TotalMinutes < 1 ? $"at {Number(perMinute)} a minute, in under a minute"
            : $"at {Number(perMinute)} a minute, about {Duration(wait)}";
        return new(name, HealthState.InsufficientData, have, threshold, $"needs {missing:N0} more {what} ({have:N0} of {need:N0}); {eta}");
    }

    private static double PerMinute(long count, StatsReport report)
    {
        var minutes = (report.To - report.From).TotalMinutes;
        return minutes <= 0 ? 0 : count / minutes;
    }

    private static string Duration(TimeSpan span) =>
        span.TotalMinutes < 1 ? "under a minute"
        : span.TotalHours < 2 ? $"{Math.Ceiling(span.TotalMinutes):0} minutes"
        : span.TotalDays < 2 ? $"{Number(span.TotalHours)} hours"
        : $"{Number(span.TotalDays)} days";

    private static string Pct(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + " ms";

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
