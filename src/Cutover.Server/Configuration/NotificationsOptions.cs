namespace Cutover.Server.Configuration;

/// <summary><c>Notifications:*</c>: where rollout events are POSTed as JSON (with a Slack-compatible <c>text</c>).</summary>
public sealed class NotificationsOptions
{
    /// <summary>http(s) URLs that get every rollout event: a Slack incoming webhook, a pager, a bot. Empty: none.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>Tries per event and URL, the first included. Default 6 (about a minute with the default delay).</summary>
    public int Attempts { get; set; } = 6;

    /// <summary>The wait before the first retry; it doubles each time, with jitter. Default 2 s.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one POST may take. Default 5 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
