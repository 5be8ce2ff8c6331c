using Cutover.Core.Classification;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Core.DecisionLog;

/// <summary>
/// One line of the decision log: what happened to one update. The user key and the message id are raw
/// here; the log writer hashes both before they are stored unless the operator chose raw keys (a
/// message id from Meta carries the user's phone number).
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
