namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/dlq/{id}</c>: the letter, every attempt ever made (replays included, first first), and the webhook's
/// stored body: as text when it is valid UTF-8 (<c>body_encoding</c> <c>utf8</c>), else in base64 (<c>base64</c>), with
/// its size in bytes.
/// </summary>
public sealed record DeadLetterDetailView(DeadLetterView Letter, List<DeliveryAttemptView> Attempts, string Body, string BodyEncoding, int BodyBytes);
