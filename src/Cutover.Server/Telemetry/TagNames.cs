namespace Cutover.Server.Telemetry;

/// <summary>Metric tag keys.</summary>
internal static class TagNames
{
    public const string Outcome = "outcome";
    public const string Domain = "domain";
    public const string Route = "route";
    public const string Upstream = "upstream";
    public const string Component = "component";
    public const string Reason = "reason";
    public const string State = "state";
    public const string Check = "check";
    public const string Look = "look";
}
