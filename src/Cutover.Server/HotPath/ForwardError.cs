namespace Cutover.Server.HotPath;

/// <summary>How forwarding one part to an upstream went, split by who is to blame.</summary>
internal enum ForwardError
{
    /// <summary>2xx: delivered.</summary>
    None = 0,

    /// <summary>4xx other than 408/429: the handler saw the webhook and refused it. Retrying the same bytes would not help.</summary>
    Rejected = 1,

    /// <summary>408 or 429: the upstream is busy; worth trying elsewhere or later.</summary>
    Overloaded = 2,

    /// <summary>5xx from the upstream.</summary>
    ServerError = 3,

    /// <summary>No response headers within the upstream's TimeoutMs.</summary>
    TimedOut = 4,

    /// <summary>The connection could not be made (refused, unreachable, DNS).</summary>
    ConnectFailed = 5,

    /// <summary>The connection broke or the response was not HTTP.</summary>
    RequestFailed = 6,

    /// <summary>
    /// 413, 414 or 431: the upstream's HTTP server refused the request's size before any handler saw it, so unlike
    /// <see cref="Rejected"/> nothing took the webhook.
    /// </summary>
    TooLarge = 7,
}
