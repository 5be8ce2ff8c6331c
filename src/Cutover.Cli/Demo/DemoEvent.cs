namespace Cutover.Cli.Demo;

/// <summary>
/// Something that happened during the demo, at <paramref name="At"/> simulated time since the start: a rollout event
/// (its audit kind: <c>rollout_step</c>, <c>rollback</c>, …) or the demo's own doing (<c>fault</c>, <c>fix</c>).
/// </summary>
internal sealed record DemoEvent(TimeSpan At, string Kind, string Actor, decimal Percent, string Text);
