using System.Globalization;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>The output of <c>cutover rollout …</c> and <c>cutover rollback</c>.</summary>
internal static class RolloutRender
{
    public static void Status(IAnsiConsole console, RolloutStatusResponse s)
    {
        var scope = s.Domain is null ? "every routable domain" : $"domain {s.Domain}";
        var step = s.Step == 0 ? "no step" : $"step {s.Step} of {s.Steps}";
        console.MarkupLine($"Rollout [bold]{Markup.Escape(s.State)}[/]{(s.Paused ? " (paused)" : string.Empty)} · {step} · "
            + $"{Render.Percent(s.Percent)} · {s.Mode} · {Markup.Escape(scope)}");
        if (s.SoakLeftSeconds is { } left)
        {
            console.WriteLine($"Soak: {Duration(TimeSpan.FromSeconds(left))} left · {s.StepRequests:N0} of {s.StepMinRequests:N0} unified requests at this step");
        }

        if (s.Note is not null)
        {
            console.WriteLine($"Note: {s.Note}");
        }

        console.WriteLine($"Next: {s.Next}");
        var gates = new Table().Border(TableBorder.Rounded).AddColumn("Gate").AddColumn("State").AddColumn("Why");
        foreach (var g in s.Gates)
        {
            gates.AddRow(new Text(g.Name), new Markup(HealthRender.State(g.State)), new Text(g.Message));
        }

        console.Write(gates);
        foreach (var d in s.Decommission ?? [])
        {
            console.WriteLine($"{(d.Ready ? "Ready to decommission" : "Not ready to decommission")} {d.Domain}'s legacy handler: {d.Reason}");
        }
    }

    public static void Plan(IAnsiConsole console, RolloutPlanResponse p)
    {
        console.WriteLine($"Mode {p.Mode} · on critical: {p.OnCritical} · looks every {Span(p.EvaluationInterval)} · at least {Span(p.ShortestDuration)} end to end");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Step").RightAligned()).AddColumn(new TableColumn("Percent").RightAligned())
            .AddColumn(new TableColumn("Soak").RightAligned()).AddColumn(new TableColumn("Min requests").RightAligned());
        foreach (var s in p.Steps)
        {
            table.AddRow(s.Step.ToString(CultureInfo.InvariantCulture), Render.Percent(s.Percent), Span(s.Soak), s.MinRequests.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    public static int Print(CliContext context, RolloutCommandResponse response)
    {
        if (context.Json)
        {
            context.WriteJson(response, ServerJson.Default.RolloutCommandResponse);
            return ExitCodes.Ok;
        }

        if (response.Message is { } message)
        {
            context.Out.WriteLine(char.ToUpperInvariant(message[0]) + message[1..] + ".");
        }

        foreach (var e in response.Events)
        {
            context.Out.WriteLine($"{e.Kind}: {Render.Change(e)} (by {e.Actor}: \"{e.Reason}\")");
        }

        var r = response.Rollout;
        context.Out.WriteLine($"Rollout {r.State}{(r.Step > 0 ? $" at step {r.Step} of {r.Steps}" : string.Empty)}, {Render.Percent(r.Percent)}. Next: {r.Next}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// A span of the plan as the server sends it (a <c>TimeSpan</c> string such as <c>5.14:00:00</c>) for people, in hours
    /// and, from a day up, days too: "134 h (5 d 14 h)", "6 h", "2 min", "30 s". What does not parse (a newer server) is
    /// shown as sent.
    /// </summary>
    public static string Span(string value) =>
        TimeSpan.TryParseExact(value, "c", CultureInfo.InvariantCulture, out var span) ? Span(span) : value;

    /// <inheritdoc cref="Span(string)"/>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return span.Seconds == 0 ? $"{span.Minutes} min" : $"{span.Minutes} min {span.Seconds} s";
        }

        // Seconds below an hour's scale would only clutter a plan measured in hours; minutes are kept.
        var minutes = span.Minutes == 0 ? string.Empty : $" {span.Minutes} min";
        var hours = $"{(long)span.TotalHours} h{minutes}";
        return span.Days == 0 ? hours : $"{hours} ({span.Days} d{(span.Hours == 0 ? string.Empty : $" {span.Hours} h")}{minutes})";
    }

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{Math.Floor(span.TotalHours):0} h {span.Minutes} min" : span.TotalMinutes >= 1 ? $"{Math.Ceiling(span.TotalMinutes):0} min" : $"{Math.Ceiling(span.TotalSeconds):0} s";
}
