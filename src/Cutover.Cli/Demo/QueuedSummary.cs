using Spectre.Console;

namespace Cutover.Cli.Demo;

/// <summary>The queued demo's phases as one table, in the live view as it runs and in the summary at the end.</summary>
internal static class QueuedSummary
{
    public static Table Phases(IReadOnlyList<QueuedPhaseRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Per phase (acks at the sender; peak and left: backlog, pending + in flight)")
            .AddColumn("Phase").AddColumn(new TableColumn("Time").RightAligned()).AddColumn(new TableColumn("POSTs").RightAligned())
            .AddColumn(new TableColumn("Updates").RightAligned()).AddColumn(new TableColumn("Ack p50").RightAligned())
            .AddColumn(new TableColumn("Ack p99").RightAligned()).AddColumn(new TableColumn("Peak").RightAligned())
            .AddColumn(new TableColumn("Left").RightAligned()).AddColumn(new TableColumn("Delivered").RightAligned())
            .AddColumn(new TableColumn("Dead").RightAligned());
        foreach (var r in rows)
        {
            table.AddRow(
                new Text(r.Name), new Text(DemoFormat.Seconds(r.Elapsed)), new Text(DemoFormat.Count(r.Posts)), new Text(DemoFormat.Count(r.Updates)),
                new Text(DemoFormat.Ms(r.AckP50Ms)), new Text(DemoFormat.Ms(r.AckP99Ms)), new Text(DemoFormat.Count(r.BacklogPeak)),
                new Text(DemoFormat.Count(r.BacklogEnd)), new Text(DemoFormat.Count(r.Delivered)), new Text(DemoFormat.Count(r.DeadLetters)));
        }

        return table;
    }

    /// <summary>"normal: 240 POSTs, 624 updates; ack p50 2.1 ms, p99 9.8 ms; backlog peak 12, end 0; 610 delivered; 0 dead letters".</summary>
    public static string Line(QueuedPhaseRow r) =>
        $"{r.Name}: {DemoFormat.Seconds(r.Elapsed)}, {DemoFormat.Count(r.Posts)} POSTs, {DemoFormat.Count(r.Updates)} updates; "
        + $"ack p50 {DemoFormat.Ms(r.AckP50Ms)}, p99 {DemoFormat.Ms(r.AckP99Ms)}; backlog peak {DemoFormat.Count(r.BacklogPeak)}, end {DemoFormat.Count(r.BacklogEnd)}; "
        + $"{DemoFormat.Count(r.Delivered)} delivered; {DemoFormat.Count(r.DeadLetters)} dead letters";
}
