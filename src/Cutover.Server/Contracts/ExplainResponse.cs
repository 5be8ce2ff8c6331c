namespace Cutover.Server.Contracts;

/// <summary><c>POST /admin/explain</c>.</summary>
public sealed record ExplainResponse(List<ExplainedUpdate> Updates);
