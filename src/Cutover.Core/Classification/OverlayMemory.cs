namespace Cutover.Core.Classification;

/// <summary>
/// Reads through to a live memory but keeps its own writes, so explaining a payload can follow the
/// conversation inside that payload without changing what the router remembers.
/// </summary>
public sealed class OverlayMemory(IConversationMemory inner) : IConversationMemory
{
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InboundRoute> _inbound = new(StringComparer.Ordinal);

    public bool TryRecall(string userKey, DateTimeOffset now, out string domain) =>
        _written.TryGetValue(userKey, out domain!) || inner.TryRecall(userKey, now, out domain);

    public void Remember(string userKey, string domain, DateTimeOffset now) => _written[userKey] = domain;

    public bool TryRecallInbound(string userKey, DateTimeOffset now, TimeSpan window, out InboundRoute inbound) =>
        _inbound.TryGetValue(userKey, out inbound) || inner.TryRecallInbound(userKey, now, window, out inbound);

    public void RememberInbound(string userKey, string? domain, InboundRoute inbound)
    {
        _inbound[userKey] = inbound;
        if (domain is not null)
        {
            _written[userKey] = domain;
        }
    }
}
