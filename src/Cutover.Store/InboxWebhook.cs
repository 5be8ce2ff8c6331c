namespace Cutover.Store;

/// <summary>
/// One signed POST from Meta, as queued delivery stores it before answering 200: the raw body and signature (the
/// upstreams verify it again), and its updates in document order. <see cref="ParseError"/> is set (and
/// <see cref="Updates"/> empty, or ignored) for a body Cutover could not parse: it is stored all the same, so Meta
/// does not retry it for days, and goes straight to the dead letters with that error.
/// </summary>
public sealed record InboxWebhook(
    DateTimeOffset ReceivedAt, string CorrelationId, byte[] Body, string? Signature, IReadOnlyList<InboxUpdate> Updates, string? ParseError);
