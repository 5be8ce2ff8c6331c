namespace Cutover.Server.Rollout;

/// <summary>The audit-trail kinds of rollout events, beside the routing kinds in <see cref="Core.Routing.AuditKinds"/>.</summary>
internal static class RolloutEventKinds
{
    public const string Start = "rollout_start";
    public const string Step = "rollout_step";
    public const string Hold = "rollout_hold";
    public const string Await = "rollout_await";
    public const string Soak = "rollout_soak";
    public const string Promote = "rollout_promote";
    public const string Pause = "rollout_pause";
    public const string Resume = "rollout_resume";
    public const string Abort = "rollout_abort";
    public const string Complete = "rollout_complete";
    public const string Rollback = "rollback";

    /// <summary>The guard on unified saw a critical unified with no rollout running and did not roll back (see <see cref="Core.Rollout.UnifiedGuard"/>).</summary>
    public const string Critical = "unified_critical";

    /// <summary>
    /// Every kind a notification can carry, the names <c>Notifications:Events</c> accepts. The routing kinds
    /// (<see cref="Core.Routing.AuditKinds"/>) are not notified.
    /// </summary>
    public static IReadOnlyList<string> Notifiable { get; } =
        [Start, Step, Hold, Await, Soak, Promote, Pause, Resume, Abort, Complete, Rollback, Critical];

    public static string Of(Core.Rollout.RolloutDecisionKind kind) => kind switch
    {
        Core.Rollout.RolloutDecisionKind.Advance => Step,
        Core.Rollout.RolloutDecisionKind.Hold => Hold,
        Core.Rollout.RolloutDecisionKind.AwaitPromotion => Await,
        Core.Rollout.RolloutDecisionKind.ResumeSoak => Soak,
        Core.Rollout.RolloutDecisionKind.Complete => Complete,
        _ => Rollback,
    };
}
