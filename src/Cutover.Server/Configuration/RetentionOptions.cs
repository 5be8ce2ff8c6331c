namespace Cutover.Server.Configuration;

/// <summary><c>Retention:*</c>: how long the decision log and the rollups are kept.</summary>
public sealed class RetentionOptions
{
    /// <summary>Raw decision records older than this are deleted. Default 7 days (Meta retries for 7 days).</summary>
    public TimeSpan Decisions { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Rollup rows older than this are deleted. Default 90 days.</summary>
    public TimeSpan Rollups { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the purge runs. Default 1 hour; the first run is at start-up.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
