using Cutover.Store;

namespace Cutover.Cli.Demo;

/// <summary>What a replay found (<paramref name="Letters"/>), how many it queued again, and why it was done.</summary>
internal sealed record DemoReplayResult(IReadOnlyList<DeadLetter> Letters, int Replayed, string Reason);
