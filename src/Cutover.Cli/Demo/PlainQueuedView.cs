namespace Cutover.Cli.Demo;

/// <summary>
/// The queued demo as plain lines, for logs and pipes: a line as each phase begins (what happens in it), a progress line
/// every second (backlog, delivered, dead letters, circuits open), and the phase's figures as it ends.
/// </summary>
internal sealed class PlainQueuedView(DemoOutput output) : IQueuedView
{
    private static readonly TimeSpan Progress = TimeSpan.FromSeconds(1);
    private int _begun;
    private int _ended;
    private TimeSpan _nextProgress;

    public Task RunAsync(Func<Task> walk) => walk();

    public void Show(QueuedLook look)
    {
        // Phases that ended since the last tick, then the one that began.
        for (; _ended < look.Phases.Count && look.Phases[_ended].Done; _ended++)
        {
            output.Text($"{string.Empty,9}{"end",-14} {QueuedSummary.Line(look.Phases[_ended])}");
        }

        for (; _begun < look.Phases.Count; _begun++)
        {
            output.Text($"{DemoFormat.Seconds(look.Real),7}  {"phase",-14} {look.Phases[_begun].Name}: {look.Phases[_begun].Story}");
            _nextProgress = look.Real + Progress;
        }

        if (look.Real >= _nextProgress)
        {
            output.Text($"{DemoFormat.Seconds(look.Real),7}  {look.Phase,-14} backlog {DemoFormat.Count(look.Backlog)}, delivered {DemoFormat.Count(look.Delivered)}, "
                + $"dead letters {DemoFormat.Count(look.DeadLetters)}, circuits open {look.OpenCircuits} of {look.Circuits}");
            _nextProgress += Progress;
        }
    }
}
