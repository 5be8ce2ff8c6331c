using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cutover.Cli.Demo;

/// <summary>
/// A Spectre live display: simulated time and progress, the rollout, the split per domain with unified's p95 and
/// error rate, the gates, and the latest events. It redraws a few times a second from the latest look, on its own
/// loop, so drawing never slows the walk (a redraw costs about as much as a look). Every frame has the same height:
/// a live display that shrinks leaves blank lines behind. The last frame stays on screen.
/// </summary>
internal sealed class LiveDemoView(IAnsiConsole console, TimeSpan planLength) : IDemoView
{
    private static readonly TimeSpan Dwell = TimeSpan.FromSeconds(3);

    /// <summary>Lines the frame takes besides the events' rows.</summary>
    private const int FrameLines = 23;

    /// <summary>The events table's width besides the text of an event: three columns, padding and borders.</summary>
    private const int EventColumnsWidth = 50;

    private DemoLook? _latest;

    public Task RunAsync(Func<Task> walk) => LiveRedraw.RunAsync(console, walk, () => Volatile.Read(ref _latest), Render);

    public void Show(DemoLook look) => Volatile.Write(ref _latest, look);

    public Task DwellAsync(CancellationToken cancellationToken) => Task.Delay(Dwell, cancellationToken);

    private IRenderable Render(DemoLook look)
    {
        var width = Math.Max(40, console.Profile.Width - 1);
        var state = look.Rollout;
        var step = state.Step < 0 ? "no step" : $"step {state.Step + 1} of {look.Steps}";
        var soak = look.SoakLeft is { } left ? $" · {DemoFormat.Duration(left)} of soak left" : string.Empty;
        var fault = look.Fault ? " · [red bold]unified is failing (injected fault)[/]" : string.Empty;
        var done = Math.Clamp(look.Simulated / planLength, 0, 1);
        var bar = new string('█', (int)(done * 40)) + new string('░', 40 - (int)(done * 40));
        var header = new Rows(
            new Markup($"[bold]Simulated {DemoFormat.Clock(look.Simulated)}[/] · look {look.Number} · real {DemoFormat.Seconds(look.Real)}"),
            new Markup($"[grey]{bar}[/] {DemoFormat.Percent(100 * done)} of the plan's {DemoFormat.Duration(planLength)} of soaks"),
            new Markup($"Rollout {DemoFormat.StatusMarkup(state.Status)} · {step} · [bold]{DemoFormat.Percent(state.Percent)}[/] of users on unified{soak}{fault}"),
            new Markup(state.Note is null ? " " : $"[grey]{Markup.Escape(Cut(state.Note, width))}[/]"),
            new Markup($"At {DemoFormat.Percent(look.SplitPercent)} since {DemoFormat.Clock(look.SplitSince)}: "
                + $"unified p95 [bold]{DemoFormat.Ms(look.Unified?.P95Ms)}[/] (legacy {DemoFormat.Ms(look.Legacy?.P95Ms)}) · "
                + $"errors [bold]{DemoFormat.ErrorRate(look.Unified?.ErrorRatePct)}[/] (legacy {DemoFormat.ErrorRate(look.Legacy?.ErrorRatePct)})"));

        var split = new Table().Border(TableBorder.Rounded).Title($"Split per domain at {DemoFormat.Percent(look.SplitPercent)}")
            .AddColumn("Domain").AddColumn(new TableColumn("Updates").RightAligned()).AddColumn(new TableColumn("On unified").RightAligned()).AddColumn("");
        foreach (var s in look.Split)
        {
            var note = s.Role switch
            {
                DomainRole.Protected => "[grey]protected[/]",
                DomainRole.Fallback => "[grey]no match[/]",
                _ => string.Empty,
            };
            var share = s.Role == DomainRole.Protected && s.Unified == 0 ? $"[green]{DemoFormat.Percent(s.UnifiedPct)}[/]" : DemoFormat.Percent(s.UnifiedPct);
            split.AddRow(new Text(s.Domain), new Text(DemoFormat.Count(s.Total)), new Markup(share), new Markup(note));
        }

        var gates = new Table().Border(TableBorder.Rounded).Title($"Gates: health {DemoFormat.StateMarkup(look.Health.State)}")
            .AddColumn("Check").AddColumn("State").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var c in look.Health.Checks)
        {
            gates.AddRow(new Text(c.Name), new Markup(DemoFormat.StateMarkup(c.State)), new Text(DemoFormat.Value(c)));
        }

        // As many events as the terminal has room for, always the same number of rows.
        var shownEvents = Math.Clamp(console.Profile.Height - FrameLines, 3, 10);
        var events = new Table().Border(TableBorder.Rounded).Title("Events")
            .AddColumn(new TableColumn("When").NoWrap()).AddColumn(new TableColumn("%").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Event").NoWrap()).AddColumn(new TableColumn("What").NoWrap());
        var recent = look.Events.TakeLast(shownEvents).ToList();
        foreach (var e in recent)
        {
            var kind = e.Kind is "rollback" or "fault" ? $"[red]{e.Kind}[/]" : e.Kind == "fix" ? $"[green]{e.Kind}[/]" : e.Kind;
            events.AddRow(new Text(DemoFormat.Clock(e.At)), new Text(DemoFormat.Percent(e.Percent)), new Markup(kind),
                new Text(Cut($"{e.Actor}: {e.Text}", width - EventColumnsWidth)));
        }

        for (var i = recent.Count; i < shownEvents; i++)
        {
            events.AddEmptyRow();
        }

        return new Rows(header, new Columns(split, gates) { Expand = false }, events);
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…";
}
