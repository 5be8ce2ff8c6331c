namespace Cutover.Cli.Demo;

/// <summary>Where the queued demo shows its progress: a live view on a terminal, plain lines anywhere else.</summary>
internal interface IQueuedView
{
    /// <summary>Runs the walk through the phases inside the view (a live display lasts exactly as long as it).</summary>
    Task RunAsync(Func<Task> walk);

    /// <summary>After each tick; <see cref="QueuedLook.Phases"/> holds every phase so far, the current one last.</summary>
    void Show(QueuedLook look);
}
