namespace Cutover.Core.Health;

/// <summary>The names of <see cref="HealthState"/> in JSON, the CLI and SQL.</summary>
public static class HealthStateNames
{
    public static string ToName(this HealthState state) => state switch
    {
        HealthState.Ok => "ok",
        HealthState.InsufficientData => "insufficient_data",
        HealthState.Warn => "warn",
        _ => "critical",
    };
}
