using Cutover.Server.Configuration;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The <c>outcome</c> label of <c>cutover_webhook_requests_total</c>, a closed set: what Cutover answered a webhook POST.
/// A refusal's outcome is also the <c>error</c> code of its JSON answer.
/// </summary>
internal static class RequestOutcomes
{
    /// <summary>Direct delivery: an upstream took every update, 200.</summary>
    public const string Delivered = "delivered";

    /// <summary>Direct delivery: no upstream took an update, 502 so that Meta retries.</summary>
    public const string NoUpstream = "no_upstream";

    public const string PayloadTooLarge = "payload_too_large";
    public const string InvalidSignature = "invalid_signature";
    public const string MalformedPayload = "malformed_payload";

    /// <summary>Kestrel gave up reading the body (408 or 400).</summary>
    public const string BodyUnreadable = "body_unreadable";

    /// <summary>Meta hung up mid-body.</summary>
    public const string ClientAborted = "client_aborted";

    /// <summary>A bug: 500, logged as event 1006.</summary>
    public const string Crashed = "crashed";

    /// <summary>Queued delivery: stored, 200.</summary>
    public const string Queued = "queued";

    /// <summary>Queued delivery: every update was accepted before, 200, nothing stored.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Queued delivery: signed but unparseable, stored as a dead letter, 200.</summary>
    public const string DeadLettered = "dead_lettered";

    /// <summary>Queued delivery: the store failed, 503.</summary>
    public const string NotQueued = "not_queued";

    private static readonly string[] Refusals = [PayloadTooLarge, InvalidSignature, MalformedPayload, BodyUnreadable, ClientAborted, Crashed];

    /// <summary>Every outcome a server in <paramref name="mode"/> can count.</summary>
    public static IReadOnlyList<string> Of(DeliveryMode mode) =>
        mode == DeliveryMode.Queued ? [Queued, Duplicate, DeadLettered, NotQueued, .. Refusals] : [Delivered, NoUpstream, .. Refusals];
}
