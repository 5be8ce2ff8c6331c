namespace Cutover.Server.Contracts;

/// <summary>
/// The body of <c>POST /admin/dlq/replay</c>: either <c>ids</c>, or <c>all: true</c> with optional filters
/// (<c>since</c>, <c>domain</c>, <c>upstream</c>, <c>dead_reason</c>, as <c>GET /admin/dlq</c> takes them); where to send
/// them (<c>to</c>: null routes them as today's state says, else <c>unified</c>, <c>legacy</c> or an upstream's name);
/// and why (<c>reason</c>, required, recorded in the audit trail).
/// </summary>
public sealed record DeadLetterReplayRequest(
    List<long>? Ids,
    bool? All,
    string? Since,
    string? Domain,
    string? Upstream,
    string? DeadReason,
    string? To,
    string? Reason);
