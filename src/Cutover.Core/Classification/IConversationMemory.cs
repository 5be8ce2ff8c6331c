namespace Cutover.Core.Classification;

/// <summary>
/// Where the router remembers each person's last domain, so "yes" or a photo continues a conversation, and where their
/// last inbound message went, so the statuses of the reply reach the handler that sent it.
/// </summary>
public interface IConversationMemory
{
    /// <summary>The user's last domain if it was seen at most the time to live before <paramref name="now"/>.</summary>
    bool TryRecall(string userKey, DateTimeOffset now, out string domain);

    /// <summary>Records that <paramref name="userKey"/> was in <paramref name="domain"/> at <paramref name="now"/>.</summary>
    void Remember(string userKey, string domain, DateTimeOffset now);

    /// <summary>Where the user's last inbound message went, if it came at most <paramref name="window"/> before <paramref name="now"/>.</summary>
    bool TryRecallInbound(string userKey, DateTimeOffset now, TimeSpan window, out InboundRoute inbound);

    /// <summary>Records an inbound message's route, and its domain when the rules found one (null: keep the last domain).</summary>
    void RememberInbound(string userKey, string? domain, InboundRoute inbound);
}
