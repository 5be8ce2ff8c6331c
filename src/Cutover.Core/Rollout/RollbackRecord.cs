namespace Cutover.Core.Rollout;

/// <summary>
/// One rollback, automatic or by hand: when, at which phase (step and percent), what it went from and to, why,
/// who (<c>system</c> or the token's name), and the metric values behind it as a JSON object.
/// </summary>
public sealed record RollbackRecord(
    long Id,
    DateTimeOffset At,
    string Phase,
    string? Domain,
    decimal FromPercent,
    decimal ToPercent,
    string Reason,
    string Actor,
    string Metrics);
