namespace Cutover.Cli.Demo;

/// <summary>Where the demo shows its progress: a live view on a terminal, plain lines anywhere else.</summary>
internal interface IDemoView
{
    /// <summary>Runs the walk through the plan inside the view (a live display lasts exactly as long as it).</summary>
    Task RunAsync(Func<Task> walk);

    /// <summary>After each look; <see cref="DemoLook.Events"/> holds every event so far, the new ones last.</summary>
    void Show(DemoLook look);

    /// <summary>
    /// A moment worth seeing (the rollback): a live view holds it on screen a little, since at a look every tenth of a
    /// second it would otherwise be gone before anyone read it. Plain lines stay in the log anyway.
    /// </summary>
    Task DwellAsync(CancellationToken cancellationToken);
}
