namespace Cutover.Server.Configuration;

/// <summary><c>Retention:*</c>: how long the decision log and the rollups are kept.</summary>
public sealed class RetentionOptions
{
    /// <summary>Raw decision records older than this are deleted. Default 7 days (Meta retries for 7 days).</summary>
    [ConfigRange(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Decisions { get; set; } = CutoverDefaults.RetentionDecisions;

    /// <summary>Rollup rows older than this are deleted. Default 90 days.</summary>
    [ConfigRange(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Rollups { get; set; } = CutoverDefaults.RetentionRollups;

    /// <summary>How often the purge runs. Default 1 hour; the first run is at start-up.</summary>
    [ConfigRange(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = CutoverDefaults.RetentionInterval;
}
