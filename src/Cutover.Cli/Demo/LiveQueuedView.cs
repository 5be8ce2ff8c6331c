using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cutover.Cli.Demo;

/// <summary>
/// A Spectre live display of the queued demo: real time, the phase and which handlers are down, the queue now with a
/// bar for the backlog, and the phases table. It redraws a few times a second from the latest look, on its own loop,
/// as <see cref="LiveDemoView"/> does. The last frame stays on screen.
/// </summary>
internal sealed class LiveQueuedView(IAnsiConsole console) : IQueuedView
{

    /// <summary>The widest the backlog bar gets; it is scaled to the highest backlog seen so far.</summary>
    private const int BarWidth = 40;

    private QueuedLook? _latest;
    private long _highest;

    public Task RunAsync(Func<Task> walk) => LiveRedraw.RunAsync(console, walk, () => Volatile.Read(ref _latest), Render);

    public void Show(QueuedLook look) => Volatile.Write(ref _latest, look);

    private IRenderable Render(QueuedLook look)
    {
        _highest = Math.Max(_highest, look.Backlog);
        var filled = _highest == 0 ? 0 : (int)Math.Round(BarWidth * (double)look.Backlog / _highest);
        var bar = new string('█', filled) + new string('░', BarWidth - filled);
        var down = look.Down.Count == 0 ? "[green]every handler up[/]"
            : look.Down.Count == QueuedScenario.Everyone.Count ? "[red bold]every handler down[/]"
            : $"[red bold]{Markup.Escape(string.Join(", ", look.Down))} down[/]";
        var header = new Rows(
            new Markup($"[bold]Real {DemoFormat.Seconds(look.Real)}[/] · phase [bold]{Markup.Escape(look.Phase)}[/] · {down}"),
            new Markup($"[grey]{Markup.Escape(look.Story)}[/]"),
            new Markup($"Backlog [grey]{bar}[/] [bold]{DemoFormat.Count(look.Backlog)}[/] · delivered {DemoFormat.Count(look.Delivered)} · "
                + $"dead letters [bold]{DemoFormat.Count(look.DeadLetters)}[/] · circuits open {look.OpenCircuits} of {look.Circuits}"));
        return new Rows(header, QueuedSummary.Phases(look.Phases));
    }
}
