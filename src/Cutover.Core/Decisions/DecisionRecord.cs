using Cutover.Core.Classification;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Decisions;

/// <summary>
/// One line of the decision log: what happened to one update. The user key is raw here; the log
/// writer hashes it before it is stored unless the operator chose raw keys.
/// </summary>
public readonly record struct DecisionRecord(
    DateTimeOffset At,
    string CorrelationId,
    string? MessageId,
    string? UserKey,
    UpdateKind Kind,
    string Domain,
    ClassificationRule Rule,
    int Bucket,
    Route Route,
    string Upstream,
    string? Handler,
    bool Success,
    int StatusCode,
    double LatencyMs,
    string? Error,
    bool Fallback);
