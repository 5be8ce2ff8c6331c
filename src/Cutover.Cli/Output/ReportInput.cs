using Cutover.Server.Contracts;

namespace Cutover.Cli.Output;

/// <summary>
/// What <c>cutover report</c> is made of: the admin API's answers as they came, and when the report was made.
/// <see cref="Events"/> are the audit events since the stats window began, in any order.
/// <see cref="EventsTruncated"/> says the server held more than it returned, so the oldest are missing.
/// </summary>
internal sealed record ReportInput(
    StatsResponse Stats,
    HealthResponse Health,
    IReadOnlyList<HistoryEvent> Events,
    RolloutStatusResponse Rollout,
    StatusResponse Status,
    DateTimeOffset GeneratedAt,
    bool EventsTruncated = false);
