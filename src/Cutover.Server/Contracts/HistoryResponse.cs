namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/history</c>.</summary>
public sealed record HistoryResponse(List<HistoryEvent> Events);
