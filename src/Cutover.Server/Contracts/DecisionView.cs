namespace Cutover.Server.Contracts;

/// <summary>
/// One line of the decision log (<c>GET /admin/decisions</c>, an <c>event: decision</c> of its stream, <c>cutover decisions
/// --json</c>): the row's id, when, the correlation id Cutover sent upstream, the domain and the rule that chose it, the
/// route and the upstream it went to, the handler that answered (null when unknown), <c>ok</c> or <c>error</c>, the
/// upstream's HTTP status (0: no answer), the latency, the error as stored (from the upstream: printed through
/// <c>UnsafeText.Sanitize</c>), whether it fell back to legacy, the user key as stored (hashed unless
/// <c>Privacy:UserKeys</c> is raw) and the kind of update (message, status, change).
/// </summary>
public sealed record DecisionView(
    long Id,
    DateTimeOffset At,
    string CorrelationId,
    string Domain,
    string Rule,
    string Route,
    string Upstream,
    string? Handler,
    string Status,
    int Code,
    double LatencyMs,
    string? Error,
    bool Fallback,
    string? UserKey,
    string Kind);
