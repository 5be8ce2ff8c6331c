namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/dlq</c>: the dead letters that match, newest first, at most <c>limit</c>.</summary>
public sealed record DeadLetterListResponse(List<DeadLetterView> Letters);
