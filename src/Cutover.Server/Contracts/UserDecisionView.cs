namespace Cutover.Server.Contracts;

/// <summary>The person's most recent line in the decision log.</summary>
public sealed record UserDecisionView(
    DateTimeOffset At, string CorrelationId, string Kind, string Domain, string Rule, string Route, string Upstream, int StatusCode,
    bool Success, bool Fallback);
