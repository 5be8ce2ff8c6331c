using System.Globalization;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>The tables of <c>cutover stats</c>.</summary>
internal static class StatsRender
{
    public static void Stats(IAnsiConsole console, StatsResponse s)
    {
        console.WriteLine($"Stats over {s.Window}: {Render.Time(s.From)} → {Render.Time(s.To)}");
        var routes = RouteTable();
        foreach (var r in s.Routes)
        {
            AddRoute(routes, r.Domain, r);
        }

        routes.AddEmptyRow();
        AddRoute(routes, "all domains", s.Totals.Unified);
        AddRoute(routes, "all domains", s.Totals.Legacy);
        console.Write(routes);
        if (s.Baseline is { } b)
        {
            console.WriteLine($"Baseline (legacy over {b.Window} to {Render.Time(b.CapturedAt)}): p95 {MsText(b.Total.P95Ms)} ms, "
                + $"avg {MsText(b.Total.AvgResponseMs)} ms, {PctText(b.Total.ErrorRatePct)} errors; unified now: p95 {MsText(s.Totals.Unified.P95Ms)} ms, "
                + $"{PctText(s.Totals.Unified.ErrorRatePct)} errors");
        }

        if (s.Handlers.Count == 0)
        {
            console.WriteLine("No handler named itself in this window (upstreams name it in the Handlers:Header response header to be counted).");
            return;
        }

        var handlers = new Table().Border(TableBorder.Rounded)
            .AddColumn("Handler").AddColumn("Route").AddColumn(Right("Invocations")).AddColumn(Right("Avg ms"))
            .AddColumn(Right("p95")).AddColumn(Right("Failures")).AddColumn(Right("Failure rate")).AddColumn("Last seen");
        foreach (var h in s.Handlers)
        {
            handlers.AddRow(
                new Text(h.Handler), new Text(h.RoutedTo), Number(h.Invocations), Ms(h.AvgResponseMs), Ms(h.P95Ms), Number(h.Failures),
                Pct(h.FailureRatePct), new Text(h.LastSeen is { } at ? Render.Time(at) : "-"));
        }

        console.Write(handlers);
    }

    /// <summary><c>stats --domain</c>: that domain's rows only, in the table of <see cref="Stats"/>.</summary>
    public static void Domain(IAnsiConsole console, StatsResponse s, IReadOnlyList<RouteStatsView> rows)
    {
        console.WriteLine($"Stats over {s.Window}: {Render.Time(s.From)} → {Render.Time(s.To)}, domain {rows[0].Domain}");
        var routes = RouteTable();
        foreach (var r in rows)
        {
            AddRoute(routes, r.Domain, r);
        }

        console.Write(routes);
    }

    public static void Baseline(IAnsiConsole console, BaselineView b)
    {
        console.WriteLine($"Baseline {b.Id}: legacy over {b.Window} to {Render.Time(b.CapturedAt)}, by {b.Actor} ({b.Reason})");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Domain").AddColumn(Right("Requests")).AddColumn(Right("Avg ms")).AddColumn(Right("p95")).AddColumn(Right("Error rate"));
        foreach (var d in b.Domains.Append(b.Total with { Domain = "all domains" }))
        {
            table.AddRow(new Text(d.Domain), Number(d.RequestCount), Ms(d.AvgResponseMs), Ms(d.P95Ms), Pct(d.ErrorRatePct));
        }

        console.Write(table);
    }

    private static Table RouteTable() => new Table().Border(TableBorder.Rounded)
        .AddColumn("Domain").AddColumn("Route").AddColumn(Right("Requests")).AddColumn(Right("Share"))
        .AddColumn(Right("Avg ms")).AddColumn(Right("p50")).AddColumn(Right("p95")).AddColumn(Right("p99"))
        .AddColumn(Right("Errors")).AddColumn(Right("Error rate")).AddColumn(Right("Fallbacks"));

    private static void AddRoute(Table table, string domain, RouteStatsView r) => table.AddRow(
        new Text(domain), new Text(r.RoutedTo), Number(r.RequestCount), Pct(r.SharePct), Ms(r.AvgResponseMs), Ms(r.P50Ms), Ms(r.P95Ms),
        Ms(r.P99Ms), Number(r.ErrorCount), Pct(r.ErrorRatePct), Number(r.FallbackCount));

    private static TableColumn Right(string name) => new TableColumn(name).RightAligned();

    private static Text Number(long value) => new(value.ToString("N0", CultureInfo.InvariantCulture));

    private static Text Ms(double? value) => new(MsText(value));

    private static Text Pct(double value) => new(PctText(value));

    private static string MsText(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string PctText(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
