namespace Cutover.Server.Contracts;

/// <summary>The body of <c>POST /admin/dlq/purge</c>: delete the dead letters that died before <c>before</c> (a time, or a window back from now such as <c>7d</c>), and why.</summary>
public sealed record DeadLetterPurgeRequest(string? Before, string? Reason);
