namespace Cutover.Server.HotPath;

/// <summary>
/// The headers Cutover sets on a forwarded part (besides Content-Type). <see cref="Attempt"/> is queued delivery's
/// attempt number (sent as <c>X-Cutover-Attempt</c>); 0 in direct delivery, where it is not sent. <see cref="TraceParent"/>
/// is the forward's W3C <c>traceparent</c>, null (not sent) while tracing is off.
/// </summary>
/// <remarks>
/// No value here comes raw from outside: the signature is Meta's one form (checked) or Cutover's own, the correlation id
/// is Cutover's, domains are configured names, the trace parent is Cutover's own activity's id (hex digits and dashes),
/// and the idempotency key is built from plain identifiers
/// (<see cref="Core.Webhooks.WebhookIds"/>). <see cref="EnsureSafe"/> holds them to that in one place, so that a mistake
/// elsewhere fails one webhook (500, logged, retried by Meta) instead of reaching an upstream as extra headers.
/// </remarks>
internal readonly record struct OutboundHeaders(
    string? Signature,
    string CorrelationId,
    string Domains,
    string Route,
    string? IdempotencyKey,
    int Attempt = 0,
    string? TraceParent = null)
{
    /// <summary>Longer than any value Cutover makes (the idempotency key of a status is at most 2 × 128 + 1).</summary>
    private const int MaxValueLength = 512;

    /// <summary>Throws when a value could change the request's framing or be refused by the HTTP client.</summary>
    public void EnsureSafe()
    {
        if (!IsSafe(Signature) || !IsSafe(CorrelationId) || !IsSafe(Domains) || !IsSafe(Route) || !IsSafe(IdempotencyKey) || !IsSafe(TraceParent))
        {
            throw new InvalidOperationException(
                "an outbound header value is not printable ASCII of at most 512 characters; this is a bug in Cutover, not in the webhook");
        }
    }

    // Printable ASCII, space included: no CR, LF, NUL or byte that an HTTP client would refuse or an upstream misread.
    private static bool IsSafe(string? value) => value is null || (value.Length <= MaxValueLength && !value.AsSpan().ContainsAnyExceptInRange(' ', '~'));
}
