using Cutover.Core.Collections;

namespace Cutover.Core.Classification;

/// <summary>
/// A bounded, thread-safe memory of each user's last domain with a time to live.
/// </summary>
/// <remarks>
/// Held in a <see cref="RecentMap{TValue}"/>: at most <c>capacity</c> users, recently active ones surviving, reads
/// without a lock. A recall reads without copying forward; the next message of an active user writes it anew.
/// </remarks>
public sealed class ConversationMemory : IConversationMemory
{
    private readonly long _ttlTicks;
    private readonly RecentMap<Entry> _entries;

    public ConversationMemory(int capacity, TimeSpan timeToLive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        _entries = new RecentMap<Entry>(capacity);
        _ttlTicks = timeToLive.Ticks;
    }

    public TimeSpan TimeToLive => TimeSpan.FromTicks(_ttlTicks);

    /// <summary>How many users are held now (both generations; a user may be counted twice briefly).</summary>
    public int Count => _entries.Count;

    public bool TryRecall(string userKey, DateTimeOffset now, out string domain) => TryRecall(userKey, now, out domain, out _);

    /// <summary>As <see cref="TryRecall(string, DateTimeOffset, out string)"/>, with when the domain was seen.</summary>
    public bool TryRecall(string userKey, DateTimeOffset now, out string domain, out DateTimeOffset seenAt)
    {
        if (_entries.TryPeek(userKey, out var entry))
        {
            if (entry.Domain is not null && now.UtcTicks - entry.SeenAtTicks <= _ttlTicks)
            {
                domain = entry.Domain!;
                seenAt = new DateTimeOffset(entry.SeenAtTicks, TimeSpan.Zero);
                return true;
            }
        }

        domain = string.Empty;
        seenAt = default;
        return false;
    }

    /// <summary>
    /// Records what another instance saw, unless this memory already holds something seen at or after
    /// <paramref name="seenAt"/>: an older sighting must not undo a newer one. Whether it was recorded.
    /// </summary>
    /// <remarks>
    /// Check-then-write without a lock: a request remembering the same user at the same moment may be overwritten by the
    /// older sighting. That costs one recall of a domain the user left seconds ago, and the next message fixes it; a lock
    /// on the request path would cost every request.
    /// </remarks>
    public bool RememberIfNewer(string userKey, string domain, DateTimeOffset seenAt)
    {
        if (_entries.TryPeek(userKey, out var held)
            && held.Domain is not null && held.SeenAtTicks >= seenAt.UtcTicks)
        {
            return false;
        }

        return TryRemember(userKey, domain, seenAt);
    }

    /// <summary>As <see cref="RememberIfNewer"/>, for where another instance sent the person's last inbound message.</summary>
    public bool RememberInboundIfNewer(string userKey, InboundRoute inbound)
    {
        if (Held(userKey) is { } held && held.Inbound.Upstream is not null && held.Inbound.AtTicks >= inbound.AtTicks)
        {
            return false;
        }

        return TryRememberInbound(userKey, null, inbound);
    }

    /// <summary>
    /// Where the person's last inbound message went, if it came at most <paramref name="window"/> before
    /// <paramref name="now"/>: the upstream that received it is the one that replied, so its statuses go there.
    /// </summary>
    public bool TryRecallInbound(string userKey, DateTimeOffset now, TimeSpan window, out InboundRoute inbound)
    {
        if (Held(userKey) is { } held && held.Inbound.Upstream is not null && now.UtcTicks - held.Inbound.AtTicks <= window.Ticks)
        {
            inbound = held.Inbound;
            return true;
        }

        inbound = default;
        return false;
    }

    public void RememberInbound(string userKey, string? domain, InboundRoute inbound) => TryRememberInbound(userKey, domain, inbound);

    /// <summary>
    /// Records an inbound message: its route (always) and its domain (when the rules found one). False when the entry
    /// already said this less than a second ago.
    /// </summary>
    public bool TryRememberInbound(string userKey, string? domain, InboundRoute inbound)
    {
        // A user writing several messages a second to one place: the entry already says this (as in TryRemember).
        if (_entries.TryGetCurrent(userKey, out var seen)
            && seen.Inbound.Route == inbound.Route && seen.Inbound.Upstream == inbound.Upstream
            && (domain is null || seen.Domain == domain)
            && inbound.AtTicks - seen.Inbound.AtTicks < TimeSpan.TicksPerSecond)
        {
            return false;
        }

        var held = Held(userKey);
        var entry = domain is null
            ? new Entry(held?.Domain, held?.SeenAtTicks ?? 0, inbound)
            : new Entry(domain, inbound.AtTicks, inbound);
        _entries.Set(userKey, entry);
        return true;
    }

    private Entry? Held(string userKey) => _entries.TryPeek(userKey, out var held) ? held : null;

    public void Remember(string userKey, string domain, DateTimeOffset now) => TryRemember(userKey, domain, now);

    /// <summary>As <see cref="Remember"/>: false when the entry already said this (same domain, less than a second ago).</summary>
    public bool TryRemember(string userKey, string domain, DateTimeOffset now)
    {
        // A user writing several messages a second: the entry already says this. Rewriting it would
        // allocate a node each time, and a second's difference in a 30-minute memory changes nothing.
        if (_entries.TryGetCurrent(userKey, out var seen)
            && seen.Domain == domain && now.UtcTicks - seen.SeenAtTicks < TimeSpan.TicksPerSecond)
        {
            return false;
        }

        // The inbound half is kept: a domain learned from another instance does not undo where this one sent a message.
        var inbound = Held(userKey)?.Inbound ?? default;
        _entries.Set(userKey, new Entry(domain, now.UtcTicks, inbound));
        return true;
    }

    /// <summary>The user's last domain (null when only an unclassified message was seen) and their last inbound route.</summary>
    private readonly record struct Entry(string? Domain, long SeenAtTicks, InboundRoute Inbound);
}
