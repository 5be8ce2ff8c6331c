namespace Cutover.Server.HotPath;

/// <summary>Header names Cutover reads and writes.</summary>
internal static class HeaderNames
{
    public const string Signature = "X-Hub-Signature-256";
    public const string CorrelationId = "X-Correlation-ID";
    public const string WebhookDomain = "X-Webhook-Domain";
    public const string RoutedFrom = "X-Routed-From";
    public const string RoutedFromValue = "cutover";
    public const string Route = "X-Cutover-Route";
    public const string IdempotencyKey = "X-Idempotency-Key";
    public const string HandledBy = "X-Handled-By";

    /// <summary>W3C trace context: the forward's activity, sent only while tracing is on.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Queued delivery: which attempt this is for the update (1 for the first).</summary>
    public const string Attempt = "X-Cutover-Attempt";
}
