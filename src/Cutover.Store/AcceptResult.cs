namespace Cutover.Store;

/// <summary>
/// What accepting one webhook stored: its inbox row (0 when nothing was stored: every update a duplicate, or no update
/// at all), how many of its updates were queued for delivery, and how many were duplicates of updates accepted before.
/// An unparseable body is stored (a non-zero <see cref="InboxId"/>) with nothing queued: it is a dead letter at once.
/// </summary>
public sealed record AcceptResult(long InboxId, int Accepted, int Duplicates);
