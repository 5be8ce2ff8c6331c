namespace Cutover.Core.Routing;

/// <summary>The <c>kind</c> of each audit event, as stored and shown by <c>history</c>.</summary>
public static class AuditKinds
{
    public const string Percent = "percent";
    public const string Enable = "enable";
    public const string Disable = "disable";
    public const string Routable = "routable";
    public const string Override = "override";
    public const string OverrideClear = "override_clear";

    /// <summary>Dead letters queued for delivery again (<c>dlq replay</c>); <c>after</c> says how many, which, and where to.</summary>
    public const string DlqReplay = "dlq_replay";

    /// <summary>Dead letters deleted (<c>dlq purge</c>); <c>after</c> says how many and the cut-off time.</summary>
    public const string DlqPurge = "dlq_purge";
}
