using Cutover.Core.Classification;
using Cutover.Core.Identity;

namespace Cutover.Core.Routing;

/// <summary>
/// What the router remembers between webhooks: who is who (<see cref="Identities"/>) and each person's conversation
/// (<see cref="Conversations"/>: last domain, last inbound route). Explaining goes through <see cref="ReadOnly"/>, so a
/// prediction never changes what the router knows.
/// </summary>
public sealed class RoutingMemory(IConversationMemory conversations, IdentityMap identities, TimeSpan conversationWindow)
{
    /// <summary>The WhatsApp customer-service window: a business may reply freely for 24 h after the user's last message.</summary>
    public static readonly TimeSpan DefaultConversationWindow = TimeSpan.FromHours(24);

    public IConversationMemory Conversations { get; } = conversations;

    public IdentityMap Identities { get; } = identities;

    /// <summary>How long after a person's last inbound message their statuses still follow it.</summary>
    public TimeSpan ConversationWindow { get; } = conversationWindow;

    /// <summary>A memory with its own identities and the default window, for tools and tests that only care about conversations.</summary>
    public static RoutingMemory Of(IConversationMemory conversations) =>
        new(conversations, new IdentityMap(1_024), DefaultConversationWindow);

    /// <summary>
    /// The same knowledge behind scratch copies: what a payload teaches (a link, a conversation) holds for the rest of that
    /// payload and is then forgotten. What explain uses.
    /// </summary>
    public RoutingMemory ReadOnly() => new(new OverlayMemory(Conversations), IdentityMap.Over(Identities), ConversationWindow);
}
