using Cutover.Core.Text;
using Cutover.Server.Contracts;
using Cutover.Server.Rollout;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>The tables of the read-only lists <c>cutover overrides</c> and <c>cutover rollbacks</c>.</summary>
internal static class ListRender
{
    public static void Overrides(IAnsiConsole console, IReadOnlyList<OverrideView> overrides)
    {
        if (overrides.Count == 0)
        {
            console.WriteLine("No overrides: every user is routed by their bucket.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("User").AddColumn("Route").AddColumn("Domain").AddColumn("Set by").AddColumn(new TableColumn("At").NoWrap()).AddColumn("Reason");
        foreach (var o in overrides)
        {
            // The user is what someone typed to 'cutover override': shown through Sanitize, whole up to a long id.
            table.AddRow(
                new Text(UnsafeText.Sanitize(o.User, 128)), new Text(o.Route ?? "none"), new Text(o.Domain ?? "-"), new Text(o.Actor),
                new Text(Render.Time(o.At)), new Text(o.Reason));
        }

        console.Write(table);
        console.WriteLine($"{overrides.Count} override{(overrides.Count == 1 ? string.Empty : "s")}.");
    }

    public static void Rollbacks(IAnsiConsole console, IReadOnlyList<RollbackView> rollbacks)
    {
        if (rollbacks.Count == 0)
        {
            console.WriteLine("No rollbacks recorded.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("At").NoWrap()).AddColumn("Phase").AddColumn("Scope").AddColumn(new TableColumn("Percent").NoWrap())
            .AddColumn("By").AddColumn("Reason");
        foreach (var r in rollbacks)
        {
            table.AddRow(
                new Text(Render.Time(r.At)), new Text(r.Phase), new Text(r.Domain ?? "all routable"),
                new Text($"{Render.Percent(r.FromPercent)} → {Render.Percent(r.ToPercent)}"),
                new Text(r.RolledBackBy == RolloutService.SystemActor ? "system (automatic)" : r.RolledBackBy), new Text(r.Reason));
        }

        console.Write(table);
    }
}
