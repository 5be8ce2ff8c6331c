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
        // In phase order: a phase's line when it began, its end when it is done, so a phase that began and ended between
        // two looks (a replay that drains at once) still reads begin, then end.
        for (var i = _ended; i < look.Phases.Count; i++)
        {
            var phase = look.Phases[i];
            if (i >= _begun)
            {
                output.Text($"{DemoFormat.Seconds(look.Real),7}  {"phase",-14} {phase.Name}: {phase.Story}");
                _nextProgress = look.Real + Progress;
                _begun = i + 1;
            }

            if (!phase.Done)
            {
                break;
            }

            output.Text($"{string.Empty,9}{"end",-14} {QueuedSummary.Line(phase)}");
            _ended = i + 1;
        }

        if (look.Real >= _nextProgress)
        {
            output.Text($"{DemoFormat.Seconds(look.Real),7}  {look.Phase,-14} backlog {DemoFormat.Count(look.Backlog)}, delivered {DemoFormat.Count(look.Delivered)}, "
                + $"dead letters {DemoFormat.Count(look.DeadLetters)}, circuits open {look.OpenCircuits} of {look.Circuits}");
            _nextProgress += Progress;
        }
    }
}
