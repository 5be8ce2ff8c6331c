namespace Cutover.Server.Configuration;

/// <summary>One named upstream: <c>Upstreams:&lt;name&gt;</c>.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The absolute http(s) URL webhooks are POSTed to.</summary>
    [ConfigRequired(Why = "every upstream needs the URL webhooks are POSTed to")]
    [HttpUrl]
    public string? Url { get; set; }

    /// <summary>How long to wait for the upstream's response headers. Default 10000 ms.</summary>
    [ConfigRange(1, 300_000)]
    public int TimeoutMs { get; set; } = CutoverDefaults.UpstreamTimeoutMs;

    /// <summary>An optional URL polled to judge the upstream's health.</summary>
    [HttpUrl]
    public string? HealthUrl { get; set; }
}
