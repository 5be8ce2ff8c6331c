namespace Cutover.Core.Classification;

/// <summary>
/// Reads through to a live memory but keeps its own writes, so explaining a payload can follow the
/// conversation inside that payload without changing what the router remembers.
/// </summary>
public sealed class OverlayMemory(IConversationMemory inner) : IConversationMemory
{
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public bool TryRecall(string userKey, DateTimeOffset now, out string domain) =>
        _written.TryGetValue(userKey, out domain!) || inner.TryRecall(userKey, now, out domain);

    public void Remember(string userKey, string domain, DateTimeOffset now) => _written[userKey] = domain;
}
