using System.Globalization;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>The table of <c>cutover simulate</c> and the one-line preview <c>set</c> and <c>rollback</c> print first.</summary>
internal static class SimulateRender
{
    public static void Simulation(IAnsiConsole console, SimulationResponse s)
    {
        console.WriteLine($"Simulation over the last {s.Window} ({Render.Time(s.From)} → {Render.Time(s.To)}): {Proposal(s)}");
        if (!s.Enabled)
        {
            console.WriteLine("Routing is disabled: everything goes to legacy now and would still after this change.");
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Domain").AddColumn(Right("Share")).AddColumn(Right("Users")).AddColumn(Right("Requests"))
            .AddColumn(Right("Unified users")).AddColumn(Right("Unified reqs")).AddColumn(Right("To unified"))
            .AddColumn(Right("To legacy"));
        foreach (var d in s.Domains)
        {
            AddRow(table, d.Domain, d.Protected ? "protected" : Shift(Render.Percent(d.PercentNow ?? 0), Render.Percent(d.PercentProposed ?? 0)), d);
        }

        table.AddEmptyRow();
        AddRow(table, "all domains", string.Empty, s.Totals);
        console.Write(table);
        console.WriteLine(Summary(s));
        if (s.Totals.PinnedUsers > 0)
        {
            console.WriteLine($"{Count(s.Totals.PinnedUsers, "user")} pinned by a route override stay where they are.");
        }

        console.WriteLine("Counted: updates with a user key whose route a bucket decides (not changes of other fields).");
    }

    /// <summary>"Preview (last 24h): 1,234 users would move legacy → unified, 0 back; 5,678 requests a day".</summary>
    public static string Preview(SimulationResponse s) => $"Preview (last {s.Window}): {Summary(s)}";

    private static string Summary(SimulationResponse s)
    {
        var t = s.Totals;
        var span = s.To - s.From;
        var perDay = span > TimeSpan.Zero ? (t.RequestsToUnified + t.RequestsToLegacy) * (TimeSpan.FromDays(1) / span) : 0;
        return $"{Count(t.UsersToUnified, "user")} would move legacy → unified, {N(t.UsersToLegacy)} back; "
            + $"{perDay.ToString("N0", CultureInfo.InvariantCulture)} requests a day";
    }

    private static string Proposal(SimulationResponse s)
    {
        var scope = s.Domain is null ? "every routable domain" : s.Domain;
        var what = s.Percent is { } p ? $"{Render.Percent(p)} for {scope}" : $"{scope} following the global percentage";
        var routable = s.Routable is { } r ? $", made {(r ? "routable" : "not routable")}" : string.Empty;
        var step = s.Step is { } n ? $" (plan step {n})" : string.Empty;
        return $"{s.Change} {what}{routable}{step}";
    }

    private static void AddRow(Table table, string domain, string share, SimulatedDomainView d) => table.AddRow(
        new Text(domain), new Text(share), Number(d.Users), Number(d.Requests),
        new Text(Shift(N(d.UnifiedUsersNow), N(d.UnifiedUsersProposed))),
        new Text(Shift(N(d.UnifiedRequestsNow), N(d.UnifiedRequestsProposed))),
        Number(d.UsersToUnified), Number(d.UsersToLegacy));

    private static string Shift(string now, string then) => now == then ? now : $"{now} → {then}";

    private static string Count(long value, string noun) => $"{N(value)} {noun}{(value == 1 ? string.Empty : "s")}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static Text Number(long value) => new(N(value));

    private static TableColumn Right(string name) => new TableColumn(name).RightAligned();
}
