namespace Cutover.Core.Classification;

/// <summary>Where the router remembers each user's last domain, so "yes" or a photo continues a conversation.</summary>
public interface IConversationMemory
{
    /// <summary>The user's last domain if it was seen at most the time to live before <paramref name="now"/>.</summary>
    bool TryRecall(string userKey, DateTimeOffset now, out string domain);

    /// <summary>Records that <paramref name="userKey"/> was in <paramref name="domain"/> at <paramref name="now"/>.</summary>
    void Remember(string userKey, string domain, DateTimeOffset now);
}
