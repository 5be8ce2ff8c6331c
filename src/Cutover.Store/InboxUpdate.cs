namespace Cutover.Store;

/// <summary>
/// One update of a webhook, at <see cref="Index"/> in document order. <see cref="DedupKey"/> (the message id, or the
/// status id + ":" + status, already protected) names it for deduplication, null never deduplicated;
/// <see cref="PersonKey"/> (already protected) orders it behind the person's earlier updates, null not ordered.
/// </summary>
public sealed record InboxUpdate(int Index, string? DedupKey, string? PersonKey);
