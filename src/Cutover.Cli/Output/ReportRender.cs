using System.Globalization;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Output;

/// <summary>
/// <c>cutover report</c>: the runbooks' "metrics collection template" and "daily standup update", filled from the
/// admin API's answers, in Markdown or plain text. Pure: the same input gives the same report, whatever the clock.
/// </summary>
internal static class ReportRender
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(ReportInput input, ReportFormat format)
    {
        var w = new ReportWriter(format);
        var s = input.Stats;
        w.Title($"Cutover report: last {s.Window}",
            $"Window {Render.Time(s.From)} → {Render.Time(s.To)} · generated {Render.Time(input.GeneratedAt)} · Cutover {input.Status.ServerVersion}");
        var events = input.Events.Where(e => e.At >= s.From).OrderBy(static e => e.At).ThenBy(static e => e.Id).ToList();
        Rollout(w, input);
        Traffic(w, s, input.Status);
        Handlers(w, s);
        Health(w, input.Health);
        Actions(w, events, input.EventsTruncated);
        Standup(w, input, events, format);
        return w.ToString();
    }

    private static void Rollout(ReportWriter w, ReportInput input)
    {
        var r = input.Rollout;
        var status = input.Status;
        w.Section("Rollout");
        List<(string, string)> fields =
        [
            ("State", r.State + (r.Paused ? " (paused)" : string.Empty)),
            ("Step", r.Step == 0 ? "none" : $"{r.Step} of {r.Steps}"),
            ("Percent", Render.Percent(r.Percent)),
            ("Mode", $"{r.Mode}, {(r.Domain is null ? "every routable domain" : "domain " + r.Domain)}"),
            ("Routing", status.Enabled
                ? $"enabled, global {Render.Percent(status.Percent)}, version {Count(status.Version)}"
                : $"DISABLED: every update goes to legacy (global {Render.Percent(status.Percent)} when enabled)"),
        ];
        var routable = status.Domains.Where(static d => d.Value.Routable && !d.Value.Protected).ToList();
        if (routable.Count > 0)
        {
            fields.Add(("Unified per domain", string.Join(", ", routable.Select(d =>
                $"{d.Key} {Render.Percent(status.Enabled ? d.Value.Percent : 0)}{(d.Value.OwnPercent is null ? string.Empty : " (own)")}"))));
        }

        var legacyOnly = status.Domains.Where(static d => d.Value.Protected || !d.Value.Routable)
            .Select(static d => d.Key + (d.Value.Protected ? " (protected)" : " (not routable)")).ToList();
        if (legacyOnly.Count > 0)
        {
            fields.Add(("Always legacy", string.Join(", ", legacyOnly)));
        }

        if (r.SoakLeftSeconds is { } left)
        {
            fields.Add(("Soak", $"{RolloutRender.Duration(TimeSpan.FromSeconds(left))} left, "
                + $"{Count(r.StepRequests)} unified requests at this step (it needs {Count(r.StepMinRequests)})"));
        }

        if (r.Note is not null)
        {
            fields.Add(("Note", r.Note));
        }

        fields.Add(("Next", r.Next));
        w.Fields(fields);
    }

    private static void Traffic(ReportWriter w, StatsResponse s, StatusResponse status)
    {
        w.Section("Traffic");
        if (s.Routes.Count == 0)
        {
            w.Line("No updates in this window.");
            return;
        }

        w.Table(
            [("Domain", false), ("Route", false), ("Requests", true), ("Share", true), ("Avg ms", true), ("p95 ms", true), ("Errors", true),
                ("Error rate", true), ("Fallbacks", true)],
            [.. s.Routes.Select(static r => (IReadOnlyList<string>)[r.Domain, .. RouteCells(r)])]);

        // The seeds' "Unified Function" and "Legacy Functions" blocks, success rate included.
        w.Line("All domains, unified against legacy:");
        w.Table(
            [("Route", false), ("Requests", true), ("Share", true), ("Avg ms", true), ("p95 ms", true), ("Errors", true), ("Error rate", true),
                ("Success rate", true), ("Fallbacks", true)],
            [.. new[] { s.Totals.Unified, s.Totals.Legacy }.Select(static r => (IReadOnlyList<string>)
                [r.RoutedTo, Count(r.RequestCount), Pct(r.SharePct), Ms(r.AvgResponseMs), Ms(r.P95Ms), Count(r.ErrorCount), Pct(r.ErrorRatePct),
                    r.RequestCount == 0 ? "-" : Pct(100 - r.ErrorRatePct), Count(r.FallbackCount)])]);
        w.Fields([("Split", Split(s, status))]);
    }

    private static void Handlers(ReportWriter w, StatsResponse s)
    {
        w.Section("Handlers");
        if (s.Handlers.Count == 0)
        {
            w.Line("No handler named itself in this window (upstreams name it in the Handlers:Header response header to be counted).");
            return;
        }

        w.Table(
            [("Handler", false), ("Route", false), ("Invocations", true), ("Avg ms", true), ("p95 ms", true), ("Failures", true), ("Failure rate", true)],
            [.. s.Handlers.Select(static h => (IReadOnlyList<string>)
                [h.Handler, h.RoutedTo, Count(h.Invocations), Ms(h.AvgResponseMs), Ms(h.P95Ms), Count(h.Failures), Pct(h.FailureRatePct)])]);
    }

    private static void Health(ReportWriter w, HealthResponse h)
    {
        w.Section("Health");
        w.Fields([("Overall", $"{h.State} at {Render.Time(h.At)}")]);
        var issues = h.Checks.Where(static c => c.State != "ok").ToList();
        if (issues.Count == 0)
        {
            w.Line(h.Checks.Count == 0 ? "Issues observed: none; no check ran." : "Issues observed: none; every check is ok.");
        }
        else
        {
            w.Line("Issues observed:");
            w.Items([.. issues.Select(static c => (c.Name, $"({c.State}{Measured(c)}): {c.Message}"))]);
        }

        var passing = h.Checks.Where(static c => c.State == "ok").Select(static c => c.Name).ToList();
        if (passing.Count > 0 && issues.Count > 0)
        {
            w.Line("Passing: " + string.Join(", ", passing) + ".");
        }
    }

    private static void Actions(ReportWriter w, IReadOnlyList<HistoryEvent> events, bool truncated)
    {
        w.Section("Actions");
        if (events.Count == 0)
        {
            w.Line("No changes in this window.");
            return;
        }

        w.Table(
            [("Time", false), ("Kind", false), ("Actor", false), ("Change", false), ("Reason", false)],
            [.. events.Select(static e => (IReadOnlyList<string>)[Render.Time(e.At), e.Kind, e.Actor, Render.Change(e), e.Reason])]);
        if (truncated)
        {
            w.Line($"Only the newest {Count(events.Count)} changes were read; older ones in the window are not listed.");
        }
    }

    /// <summary>The seeds' daily standup update: what happened (status, metrics), what blocks (issues), what is next, the risk.</summary>
    private static void Standup(ReportWriter w, ReportInput input, IReadOnlyList<HistoryEvent> events, ReportFormat format)
    {
        var s = input.Stats;
        var r = input.Rollout;
        var unified = s.Totals.Unified;
        var legacy = s.Totals.Legacy;
        var total = unified.RequestCount + legacy.RequestCount;
        w.Section("Standup");

        var step = r.Step == 0 ? string.Empty : $", step {r.Step} of {r.Steps}";
        var configured = input.Status.Enabled ? $"{Render.Percent(r.Percent)} of routable users on unified" : "routing disabled, 0% on unified";
        var handled = $"unified handled {Count(unified.RequestCount)} of {Count(total)} updates ({Pct(unified.SharePct)}) in the last {s.Window}";
        var (routableUnified, routableTotal) = RoutableCounts(s, input.Status);
        if (routableTotal > 0 && routableTotal != total)
        {
            handled += $", {Pct(100.0 * routableUnified / routableTotal)} of the routable domains' {Count(routableTotal)}";
        }

        var metrics = unified.RequestCount == 0
            ? "no unified traffic"
            : $"unified p95 {Ms(unified.P95Ms)} ms, avg {Ms(unified.AvgResponseMs)} ms, {Pct(unified.ErrorRatePct)} errors ({Count(unified.ErrorCount)} of {Count(unified.RequestCount)})";
        if (legacy.RequestCount > 0)
        {
            metrics += $"; legacy p95 {Ms(legacy.P95Ms)} ms, avg {Ms(legacy.AvgResponseMs)} ms, {Pct(legacy.ErrorRatePct)} errors";
        }

        var issues = input.Health.Checks.Where(static c => c.State != "ok").Select(static c => $"{c.Name} ({c.State})").ToList();
        var rollbacks = events.Where(static e => e.Kind == "rollback").ToList();
        var done = events.Count == 0
            ? "no changes"
            : $"{Count(events.Count)} change{(events.Count == 1 ? string.Empty : "s")} ("
                + string.Join(", ", events.GroupBy(static e => e.Kind).Select(static g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}")) + ")";
        var rolledBack = rollbacks.Count == 0
            ? "no rollback"
            : string.Join("; ", rollbacks.Select(static e => $"rollback at {Render.Time(e.At)} by {e.Actor}: {Render.Change(e)} ({e.Reason})"));

        w.Fields(
        [
            ("Migration status", $"{configured} (rollout {r.State}{step}); {handled}"),
            ("Key metrics", metrics),
            ("Issues", issues.Count == 0 ? "none" : string.Join(", ", issues)),
            ("Actions", $"{done}; {rolledBack}; next: {r.Next}"),
            ("Risk level", Risk(input.Health.State, r.State, rollbacks.Count, format)),
        ]);
    }

    /// <summary>The seeds' three levels: a rollback or a critical check is high, anything not yet green is medium.</summary>
    private static string Risk(string health, string rollout, int rollbacks, ReportFormat format)
    {
        var (level, mark, why) = (health, rollout, rollbacks) switch
        {
            ("critical", _, _) => ("High", "🔴", "health critical"),
            (_, _, > 0) => ("High", "🔴", rollbacks == 1 ? "a rollback in the window" : $"{rollbacks} rollbacks in the window"),
            (_, "halted", _) => ("High", "🔴", "rollout halted"),
            ("ok", _, _) => ("Low", "🟢", "health ok"),
            _ => ("Medium", "🟡", $"health {health}"),
        };
        return format == ReportFormat.Markdown ? $"{mark} {level} ({why})" : $"{level} ({why})";
    }

    private static string Split(StatsResponse s, StatusResponse status)
    {
        var total = s.Totals.Unified.RequestCount + s.Totals.Legacy.RequestCount;
        var split = $"unified {Pct(s.Totals.Unified.SharePct)}, legacy {Pct(s.Totals.Legacy.SharePct)} of {Count(total)} updates";
        var (unified, routable) = RoutableCounts(s, status);
        return routable == 0 || routable == total
            ? split
            : $"{split}; in the routable domains, unified {Pct(100.0 * unified / routable)} of {Count(routable)}";
    }

    /// <summary>Unified and all updates of the domains that can go to unified: what the configured percent is about.</summary>
    private static (long Unified, long Total) RoutableCounts(StatsResponse s, StatusResponse status)
    {
        var rows = s.Routes.Where(r => status.Domains.TryGetValue(r.Domain, out var d) && d.Routable && !d.Protected).ToList();
        return (rows.Where(static r => r.RoutedTo == "unified").Sum(static r => r.RequestCount), rows.Sum(static r => r.RequestCount));
    }

    private static IEnumerable<string> RouteCells(RouteStatsView r) =>
    [
        r.RoutedTo, Count(r.RequestCount), Pct(r.SharePct), Ms(r.AvgResponseMs), Ms(r.P95Ms), Count(r.ErrorCount), Pct(r.ErrorRatePct),
        Count(r.FallbackCount),
    ];

    /// <summary>"; value 0.149, threshold 0.1", leaving out what the check did not measure.</summary>
    private static string Measured(HealthCheckView c)
    {
        string[] parts = [.. new[] { ("value", c.Value), ("threshold", c.Threshold) }
            .Where(static p => p.Item2 is not null).Select(static p => $"{p.Item1} {Number(p.Item2!.Value)}")];
        return parts.Length == 0 ? string.Empty : "; " + string.Join(", ", parts);
    }

    private static string Count(long value) => value.ToString("N0", Invariant);

    private static string Ms(double? value) => value is { } v ? v.ToString("0.0", Invariant) : "-";

    private static string Pct(double value) => value.ToString("0.00", Invariant) + "%";

    private static string Number(double value) => value.ToString("0.###", Invariant);
}
