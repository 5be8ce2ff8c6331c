namespace Cutover.Cli.Demo;

/// <summary>
/// A webhook body, how many updates it carries, and their idempotency keys (what an upstream is sent as
/// <c>X-Idempotency-Key</c>: the message id, or the status id and status), so the queued demo can check that every
/// update acknowledged reached a handler.
/// </summary>
internal sealed record SimPost(byte[] Body, int Updates, IReadOnlyList<string> Keys);
