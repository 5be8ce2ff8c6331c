namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/decisions</c>: the decisions that match, oldest first (a tail reads top to bottom), and the cursor to
/// pass as <c>after</c> for only the newer ones.
/// </summary>
public sealed record DecisionListResponse(List<DecisionView> Decisions, string Cursor);
