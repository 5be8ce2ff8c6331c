namespace Cutover.Server.HotPath;

/// <summary>The headers Cutover sets on a forwarded part (besides Content-Type).</summary>
internal readonly record struct OutboundHeaders(
    string? Signature,
    string CorrelationId,
    string Domains,
    string Route,
    string? IdempotencyKey);
