namespace Cutover.Server.Contracts;

/// <summary>
/// One dead letter (<c>GET /admin/dlq</c>, <c>cutover dlq list --json</c>): its id (what <c>show</c> and <c>replay</c>
/// take), the webhook it belongs to and the update's place in it (-1: the whole body, unparseable), when it was accepted
/// and when it died, its age (seconds since acceptance, by the server's clock), why it died, the last error, how many
/// attempts were made, the upstream tried last, and the domain and route it was going to (null when never routed).
/// </summary>
public sealed record DeadLetterView(
    long Id,
    long InboxId,
    int UpdateIndex,
    DateTimeOffset AcceptedAt,
    DateTimeOffset DeadAt,
    double AgeSeconds,
    string Reason,
    string? Error,
    int Attempts,
    string? LastUpstream,
    string? Domain,
    string? Route);
