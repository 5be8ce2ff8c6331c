using System.Globalization;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>Tables and lines for people. Every value from the server is escaped: Spectre reads [brackets] as markup.</summary>
internal static class Render
{
    public static string Percent(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void Status(IAnsiConsole console, StatusResponse s)
    {
        // First, where it cannot be missed: a set-up that lets strangers in (unsigned webhooks, an open admin API).
        foreach (var warning in s.Warnings ?? [])
        {
            console.MarkupLine($"[bold red]WARNING:[/] {Markup.Escape(warning)}");
        }

        var state = s.Enabled ? "[green]enabled[/]" : "[red]DISABLED[/] (everything goes to legacy)";
        console.MarkupLine($"Routing {state} · global {Percent(s.Percent)} · version {s.Version} · changed {Time(s.UpdatedAt)}");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Domain").AddColumn(new TableColumn("Unified").RightAligned()).AddColumn("Setting")
            .AddColumn("Routable").AddColumn("Protected").AddColumn("Legacy upstream");
        foreach (var (name, d) in s.Domains)
        {
            var setting = d.Protected ? "never routed" : !d.Routable ? "not routable" : d.OwnPercent is null ? "global" : "own";
            table.AddRow(
                new Text(name),
                new Text(s.Enabled ? Percent(d.Percent) : Percent(0)),
                new Text(setting),
                new Text(d.Routable ? "yes" : "no"),
                new Text(d.Protected ? "yes" : "no"),
                new Text(d.Upstream));
        }

        console.Write(table);
        var log = s.DecisionLog;
        console.WriteLine($"Decision log: {log.Queued:N0} queued of {log.Capacity:N0} · {log.Written:N0} written · {log.Dropped:N0} dropped · {log.Failed:N0} failed");
        console.WriteLine($"Store: {s.Store.Provider} at {s.Store.Location} · delivery {s.Delivery} · user keys {s.UserKeys} · {s.Overrides} override{(s.Overrides == 1 ? string.Empty : "s")}");
        if (s.Queue is { } q)
        {
            Queue(console, q);
        }

        if (s.Instance is { } i)
        {
            console.WriteLine($"Instance {i.Id}: " + (i.Leader ? $"rollout controller (leader since {Time(i.LeaderSince ?? s.StartedAt)})" : "not the rollout controller")
                + $" · conversation memory {(i.SharedMemory ? "shared through the store" : "local to this instance")}");
        }

        foreach (var (upstream, probe) in s.Probes ?? [])
        {
            console.WriteLine($"Probe {upstream}: {(probe.Ok ? "ok" : "FAILING")} ({probe.Detail}, {probe.LatencyMs:0} ms, {Time(probe.At)}"
                + (probe.FailuresInARow > 0 ? $", {probe.FailuresInARow} failed in a row)" : ")"));
        }
    }

    /// <summary>Queued delivery's lines of <c>status</c>: the queue as the server last read it, then this instance's workers and circuits.</summary>
    private static void Queue(IAnsiConsole console, QueueStatus q)
    {
        if (q.ReadAt is null)
        {
            console.WriteLine("Queue: not read yet (the server reads it every 2 s)");
        }
        else
        {
            var oldest = q.Pending + q.InFlight == 0 ? "nothing waiting" : $"oldest waiting {Duration(q.OldestUndeliveredAgeSeconds)}";
            console.WriteLine($"Queue: {q.Pending:N0} waiting · {q.InFlight:N0} in flight · {oldest} · {q.Dead:N0} dead letter{(q.Dead == 1 ? string.Empty : "s")}"
                + $" ({q.UnifiedDeadLettersRecent:N0} recent on unified) · {q.Delivered:N0} delivered, not yet purged");
        }

        var open = q.Upstreams.Where(static u => u.Value.Circuit != "closed").Select(static u => $"{u.Key} {u.Value.Circuit.Replace('_', '-')}").ToList();
        console.WriteLine($"Workers: {q.WorkersBusy:N0} busy of {q.Workers:N0} · circuits: " + (open.Count == 0 ? "all closed" : string.Join(", ", open)));
        if (q.Dead > 0)
        {
            console.MarkupLine("[yellow]Dead letters wait for you:[/] cutover dlq list");
        }
    }

    private static string Duration(double seconds) =>
        seconds < 120 ? $"{seconds:0} s" : seconds < 7_200 ? $"{seconds / 60:0} min" : seconds < 172_800 ? $"{seconds / 3_600:0.#} h" : $"{seconds / 86_400:0.#} days";

    public static void History(IAnsiConsole console, IReadOnlyList<HistoryEvent> events)
    {
        if (events.Count == 0)
        {
            console.WriteLine("No changes recorded yet.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("At").AddColumn("Kind").AddColumn("Actor").AddColumn("Change").AddColumn("Reason");
        foreach (var e in events)
        {
            table.AddRow(new Text(Time(e.At)), new Text(e.Kind), new Text(e.Actor), new Text(Change(e)), new Text(e.Reason));
        }

        console.Write(table);
    }

    /// <summary>"jobs percent 10.00% → 25.00%": the fields that differ between before and after.</summary>
    public static string Change(HistoryEvent e)
    {
        var (subject, changes) = ChangeParts(e);
        return $"{subject} {changes}".Trim();
    }

    /// <summary>
    /// <see cref="Change"/> in its two parts: what the change is about (the user of an override, as the audit trail
    /// keeps it, or the domain; empty for a global change) and the fields that moved.
    /// </summary>
    public static (string Subject, string Changes) ChangeParts(HistoryEvent e)
    {
        if (e.Kind is AuditKinds.DlqReplay or AuditKinds.DlqPurge && e.After is { ValueKind: JsonValueKind.Object } record)
        {
            return (string.Empty, DlqRender.Change(e.Kind, record));
        }

        if (e.Before is not { ValueKind: JsonValueKind.Object } before || e.After is not { ValueKind: JsonValueKind.Object } after)
        {
            return (string.Empty, e.After?.GetRawText() ?? string.Empty);
        }

        // What the change is about: the user of an override (whose domain pin is then one of the changes), else the domain.
        var subjectName = after.TryGetProperty("user", out _) ? "user" : "domain";
        var subject = new List<string>();
        var changes = new List<string>();
        foreach (var property in after.EnumerateObject())
        {
            var old = before.TryGetProperty(property.Name, out var b) ? b : default;
            if (property.Name == subjectName)
            {
                subject.Add(Value(property.Value));
            }
            else if (old.ValueKind == JsonValueKind.Undefined || old.GetRawText() != property.Value.GetRawText())
            {
                changes.Add($"{property.Name} {Value(old, property.Name)} → {Value(property.Value, property.Name)}");
            }
        }

        return (string.Join(' ', subject), string.Join(", ", changes));
    }

    public static void Explain(IAnsiConsole console, IReadOnlyList<ExplainedUpdate> updates)
    {
        if (updates.Count == 0)
        {
            console.WriteLine("The payload holds no update.");
            return;
        }

        // The table holds the facts on one line each; the sentences follow it, where they have room.
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var name in new[] { "#", "Update", "User", "Domain", "Rule", "Bucket", "Route", "Upstream" })
        {
            var column = new TableColumn(name);
            table.AddColumn(name is "#" or "Bucket" ? column.RightAligned() : column);
        }

        foreach (var u in updates)
        {
            var what = u.Kind switch
            {
                "change" => u.Field.Length > 0 ? u.Field : "change",
                "status" => "status",
                _ => u.MessageType ?? "message",
            };
            table.AddRow(
                new Text(u.Index.ToString(CultureInfo.InvariantCulture)),
                new Text(what),
                new Text(u.UserKey ?? "-"),
                new Text(u.Domain),
                new Text(u.Rule),
                new Text(u.Bucket?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                new Text(u.Route),
                new Text(u.Upstream));
        }

        console.Write(table);
        console.WriteLine("Why:");
        foreach (var u in updates)
        {
            console.WriteLine($"{u.Index,3}  {u.Reason}");
        }
    }

    private static string Value(JsonElement value, string? name = null) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => name == "percent" ? "global" : "none",
        JsonValueKind.Number when name == "percent" => Percent(value.GetDecimal()),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
