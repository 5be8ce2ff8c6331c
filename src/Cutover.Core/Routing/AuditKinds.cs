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
}
