namespace Cutover.Cli.Demo;

/// <summary>
/// One phase of the queued demo: a short name for tables and lines, what happens in it, how long traffic runs (real
/// time), and which handlers are down meanwhile (503 to everything).
/// </summary>
internal sealed record QueuedPhase(string Name, string Story, TimeSpan Length, IReadOnlyList<string> Down);
