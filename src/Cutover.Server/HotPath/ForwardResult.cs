namespace Cutover.Server.HotPath;

/// <summary>
/// The outcome of one forward: error class, upstream status code (0 when none), the handler the upstream named, time
/// taken, and for a 429 or 503 how long the upstream asked to be left alone (<c>Retry-After</c>; null when it did not say).
/// </summary>
internal readonly record struct ForwardResult(
    ForwardError Error, int StatusCode, string? Handler, TimeSpan Elapsed, Exception? Exception, TimeSpan? RetryAfter = null)
{
    public bool Delivered => Error == ForwardError.None;

    /// <summary>The upstream answered about this webhook (delivered or refused): Meta need not send it again.</summary>
    public bool Taken => Error is ForwardError.None or ForwardError.Rejected;

    public string Describe() => Error switch
    {
        ForwardError.None => "delivered",
        ForwardError.Rejected => $"rejected with {StatusCode}",
        ForwardError.Overloaded => $"busy ({StatusCode})",
        ForwardError.TooLarge => $"refused its size with {StatusCode}",
        ForwardError.ServerError => $"failed with {StatusCode}",
        ForwardError.TimedOut => "timed out",
        ForwardError.ConnectFailed => "refused the connection",
        ForwardError.RequestFailed => "broke the connection",
        _ => Error.ToString(),
    };

    /// <summary>The outcome tag for metrics (a closed set).</summary>
    public string Outcome => Error switch
    {
        ForwardError.None => "delivered",
        ForwardError.Rejected => "rejected",
        ForwardError.Overloaded => "overloaded",
        ForwardError.TooLarge => "too_large",
        ForwardError.ServerError => "server_error",
        ForwardError.TimedOut => "timeout",
        ForwardError.ConnectFailed => "connect_failed",
        _ => "request_failed",
    };
}
