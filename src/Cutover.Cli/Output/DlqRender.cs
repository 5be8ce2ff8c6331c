using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Core.Text;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>
/// What <c>cutover dlq</c> prints. Errors and bodies come from upstreams and from whoever sent the webhook: every one is
/// shown through <see cref="UnsafeText.Sanitize"/>, so no escape sequence in them reaches the terminal.
/// </summary>
internal static class DlqRender
{
    /// <summary>How much of an error a list row shows.</summary>
    private const int ErrorWidth = 30;

    /// <summary>How many lines of the body <c>show</c> prints; <c>--json</c> has it whole.</summary>
    private const int BodyLines = 40;

    public static void List(IAnsiConsole console, IReadOnlyList<DeadLetterView> letters, int limit)
    {
        if (letters.Count == 0)
        {
            console.WriteLine("No dead letters match.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Id").RightAligned().NoWrap()).AddColumn(new TableColumn("Died").NoWrap())
            .AddColumn(new TableColumn("Age").RightAligned().NoWrap()).AddColumn(new TableColumn("Reason").NoWrap())
            .AddColumn(new TableColumn("Attempts").RightAligned().NoWrap()).AddColumn("Last upstream").AddColumn("Domain").AddColumn("Route").AddColumn("Error");
        foreach (var l in letters)
        {
            table.AddRow(
                new Text(l.Id.ToString(CultureInfo.InvariantCulture)),
                new Text(Render.Time(l.DeadAt)),
                new Text(Age(l.AgeSeconds)),
                new Text(Safe(l.Reason)),
                new Text(l.Attempts.ToString(CultureInfo.InvariantCulture)),
                new Text(Safe(l.LastUpstream ?? "-")),
                new Text(Safe(l.Domain ?? "-")),
                new Text(Safe(l.Route ?? "-")),
                new Text(l.Error is null ? "-" : UnsafeText.Sanitize(l.Error, ErrorWidth)));
        }

        console.Write(table);
        console.WriteLine(letters.Count >= limit
            ? $"The newest {letters.Count:N0} shown; --limit (up to 1000) or a filter for others. 'cutover dlq show ID' for one whole."
            : $"{letters.Count:N0} dead letter{(letters.Count == 1 ? string.Empty : "s")}. 'cutover dlq show ID' for one whole.");
    }

    public static void Show(IAnsiConsole console, DeadLetterDetailView d)
    {
        var l = d.Letter;
        var which = l.UpdateIndex < 0 ? "the whole body" : $"update {l.UpdateIndex}";
        console.WriteLine($"Dead letter {l.Id}: {which} of webhook {l.InboxId}, accepted {Render.Time(l.AcceptedAt)}, died {Render.Time(l.DeadAt)} ({Age(l.AgeSeconds)} old)");
        console.WriteLine($"Reason: {Safe(l.Reason)} after {l.Attempts} attempt{(l.Attempts == 1 ? string.Empty : "s")}"
            + (l.Domain is null ? string.Empty : $"; going to {Safe(l.Domain)} on {Safe(l.Route ?? "-")}")
            + (l.LastUpstream is null ? string.Empty : $", last tried at {Safe(l.LastUpstream)}"));
        if (l.Error is not null)
        {
            console.WriteLine($"Error: {UnsafeText.Sanitize(l.Error, 1_000)}");
        }

        if (d.Attempts.Count == 0)
        {
            console.WriteLine("No attempt was made.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("#").RightAligned()).AddColumn(new TableColumn("At").NoWrap()).AddColumn("Upstream").AddColumn("Route")
                .AddColumn(new TableColumn("Status").RightAligned()).AddColumn(new TableColumn("Latency").RightAligned()).AddColumn("Error");
            foreach (var a in d.Attempts)
            {
                table.AddRow(
                    new Text(a.Number.ToString(CultureInfo.InvariantCulture)),
                    new Text(Render.Time(a.At)),
                    new Text(Safe(a.Upstream)),
                    new Text(Safe(a.Route)),
                    new Text(a.StatusCode == 0 ? "none" : a.StatusCode.ToString(CultureInfo.InvariantCulture)),
                    new Text(a.LatencyMs.ToString("0", CultureInfo.InvariantCulture) + " ms"),
                    new Text(a.Error is null ? "-" : UnsafeText.Sanitize(a.Error, 80)));
            }

            console.Write(table);
        }

        console.WriteLine(d.BodyEncoding == "utf8"
            ? $"Body ({d.BodyBytes:N0} bytes, UTF-8):"
            : $"Body ({d.BodyBytes:N0} bytes, not UTF-8, in base64):");
        var lines = BodyPreview(d).Split('\n');
        foreach (var line in lines.Take(BodyLines))
        {
            console.WriteLine("  " + UnsafeText.Sanitize(line.TrimEnd('\r'), 200));
        }

        if (lines.Length > BodyLines)
        {
            console.WriteLine($"  … {lines.Length - BodyLines:N0} more lines ('cutover dlq show {l.Id} --json' has it whole)");
        }
    }

    public static void Replayed(IAnsiConsole console, DeadLetterReplayResponse r)
    {
        var where = r.To is null ? "routed as today's routing state says" : $"to {Safe(r.To)}";
        if (r.Replayed == 0)
        {
            console.WriteLine("No dead letter matches: nothing replayed.");
        }
        else
        {
            console.WriteLine($"Queued {r.Replayed:N0} dead letter{(r.Replayed == 1 ? string.Empty : "s")} again, {where}: "
                + string.Join(", ", r.Ids.Take(50)) + (r.Ids.Count > 50 || r.IdsTruncated ? ", …" : string.Empty));
        }

        if (r.NotReplayed.Count > 0)
        {
            console.WriteLine($"Not dead letters (already replayed, purged, or never dead), left alone: {string.Join(", ", r.NotReplayed)}");
        }

        if (r.Event is { } e)
        {
            console.WriteLine($"Recorded in the audit trail: {e.Kind} #{e.Id} by {Safe(e.Actor)}.");
        }
    }

    public static void Purged(IAnsiConsole console, DeadLetterPurgeResponse r)
    {
        console.WriteLine(r.Purged == 0
            ? $"No dead letter died before {Render.Time(r.Before)}: nothing purged."
            : $"Purged {r.Purged:N0} dead letter{(r.Purged == 1 ? string.Empty : "s")} that died before {Render.Time(r.Before)}.");
        if (r.Event is { } e)
        {
            console.WriteLine($"Recorded in the audit trail: {e.Kind} #{e.Id} by {Safe(e.Actor)}.");
        }
    }

    /// <summary>
    /// A replay or purge in <c>cutover history</c>: "replayed 3 to legacy (ids 12, 13, 14)", "replayed 1,500 as routed,
    /// all with domain jobs (ids 3, 4, …)", "purged 12 that died before 2026-11-25 00:00:00Z".
    /// </summary>
    public static string Change(string kind, JsonElement record)
    {
        string? Text(string name) => record.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Safe(v.GetString()!) : null;
        long Count(string name) => record.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;

        if (kind == AuditKinds.DlqPurge)
        {
            return $"purged {Count("purged"):N0} that died before " + (DateTimeOffset.TryParse(Text("before"), CultureInfo.InvariantCulture, out var at)
                ? Render.Time(at)
                : Text("before") ?? "?");
        }

        var ids = record.TryGetProperty("ids", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(static i => i.GetRawText()).ToList()
            : [];
        var filters = new[] { "since", "domain", "upstream", "dead_reason" }.Where(n => Text(n) is not null).Select(n => $"{n} {Text(n)}").ToList();
        var scope = record.TryGetProperty("all", out _) ? filters.Count == 0 ? ", all" : ", all with " + string.Join(", ", filters) : string.Empty;
        var shown = string.Join(", ", ids.Take(10)) + (ids.Count > 10 || record.TryGetProperty("ids_truncated", out _) ? ", …" : string.Empty);
        return $"replayed {Count("replayed"):N0} {(Text("to") is { } to ? "to " + to : "as routed")}{scope} (ids {shown})";
    }

    /// <summary>"45s", "12m", "3h", "2d": how long ago, at a glance.</summary>
    public static string Age(double seconds) => seconds switch
    {
        < 60 => Whole(seconds) + "s",
        < 3_600 => Whole(seconds / 60) + "m",
        < 172_800 => Whole(seconds / 3_600) + "h",
        _ => Whole(seconds / 86_400) + "d",
    };

    /// <summary>A JSON body indented (Meta's webhooks come on one line), anything else as it is.</summary>
    private static string BodyPreview(DeadLetterDetailView d)
    {
        if (d.BodyEncoding != "utf8")
        {
            return string.Join('\n', d.Body.Chunk(76).Select(static c => new string(c)));
        }

        try
        {
            using var document = JsonDocument.Parse(d.Body);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                document.RootElement.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return d.Body;
        }
    }

    private static string Whole(double value) => Math.Floor(value).ToString("0", CultureInfo.InvariantCulture);

    private static string Safe(string text) => UnsafeText.Sanitize(text, 200);
}
