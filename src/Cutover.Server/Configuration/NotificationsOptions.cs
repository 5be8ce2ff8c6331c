namespace Cutover.Server.Configuration;

/// <summary><c>Notifications:*</c>: where rollout events are POSTed as JSON (with a Slack-compatible <c>text</c>).</summary>
public sealed class NotificationsOptions
{
    /// <summary>
    /// http(s) URLs that get every rollout event: a Slack incoming webhook, a pager, a bot. Empty: none. A URL is a
    /// credential (a Slack webhook's path is its secret): the rules check each without repeating it.
    /// </summary>
    [Secret]
    public List<string> Urls { get; set; } = [];

    /// <summary>
    /// The event kinds that are POSTed (as in the audit trail: <c>rollout_start</c>, <c>rollback</c>,
    /// <c>unified_critical</c>, …). Empty (default): every kind. Either way a hold for lack of traffic is told once per
    /// step. An unknown name fails at start, naming the known ones.
    /// </summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Tries per event and URL, the first included. Default 6 (about a minute with the default delay).</summary>
    [ConfigRange(1, 20)]
    public int Attempts { get; set; } = CutoverDefaults.NotificationAttempts;

    /// <summary>The wait before the first retry; it doubles each time, with jitter. Default 2 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.01", "00:10:00")]
    public TimeSpan FirstRetryDelay { get; set; } = CutoverDefaults.NotificationFirstRetryDelay;

    /// <summary>How long one POST may take. Default 5 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan Timeout { get; set; } = CutoverDefaults.NotificationTimeout;
}
