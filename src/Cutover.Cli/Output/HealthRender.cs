using System.Globalization;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>The table of <c>cutover health</c>.</summary>
internal static class HealthRender
{
    public static void Health(IAnsiConsole console, HealthResponse h)
    {
        console.MarkupLine($"Health {State(h.State)} at {Render.Time(h.At)}");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Check").AddColumn("State").AddColumn(new TableColumn("Value").RightAligned())
            .AddColumn(new TableColumn("Threshold").RightAligned()).AddColumn("Why");
        foreach (var c in h.Checks)
        {
            table.AddRow(new Text(c.Name), new Markup(State(c.State)), new Text(Number(c.Value)), new Text(Number(c.Threshold)), new Text(c.Message));
        }

        console.Write(table);
    }

    public static string State(string state) => state switch
    {
        "ok" => "[green]ok[/]",
        "warn" => "[yellow]warn[/]",
        "critical" => "[red]critical[/]",
        "insufficient_data" => "[blue]insufficient_data[/]",
        _ => Markup.Escape(state),
    };

    private static string Number(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";
}
