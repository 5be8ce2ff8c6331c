namespace Cutover.Cli.Demo;

/// <summary>One simulated update: a message of some kind, or a status (then <see cref="Text"/> is the status).</summary>
internal sealed record SimUpdate(SimUser User, SimKind Kind, string Id, string Timestamp, string? Text, string? Title, string? ReplyTo);
