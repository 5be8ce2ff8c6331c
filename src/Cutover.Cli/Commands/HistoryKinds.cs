using Cutover.Core.Routing;
using Cutover.Server.Rollout;

namespace Cutover.Cli.Commands;

/// <summary>
/// Every <c>kind</c> the server writes to the audit trail: the routing and dead-letter kinds of
/// <see cref="AuditKinds"/>, then the rollout's of <see cref="RolloutEventKinds"/>. <c>history --kind</c> takes only
/// these, so a typo is a usage error rather than an empty trail that looks like nothing happened.
/// </summary>
internal static class HistoryKinds
{
    public static IReadOnlyList<string> All { get; } =
    [
        AuditKinds.Percent, AuditKinds.Enable, AuditKinds.Disable, AuditKinds.Routable, AuditKinds.Override, AuditKinds.OverrideClear,
        .. RolloutEventKinds.Notifiable,
        AuditKinds.DlqReplay, AuditKinds.DlqPurge,
    ];
}
