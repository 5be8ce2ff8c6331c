using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Classification;

/// <summary>
/// DESIGN step 2: the domain of one update, by the ordered rules, first hit wins, with the rule that hit and its
/// evidence (the number, the button prefix, the keyword). The pieces each rule uses live beside it in this folder
/// (<see cref="KeywordMatcher"/>, <see cref="ConversationMemory"/>); <see cref="Router"/> calls this, then routes.
/// </summary>
internal static class Classifier
{
    /// <summary>The rules in their order; a <c>field</c> change never gets here (<see cref="Router.DecideOne"/> settles it first).</summary>
    public static (string Domain, ClassificationRule Rule, string? Evidence) Classify(
        in WebhookUpdate update, ReadOnlySpan<char> text, RouterTopology topology, UserOverride? pin, IConversationMemory memory,
        string? personKey, DateTimeOffset now)
    {
        // 1. An operator's pin.
        if (pin?.Domain is { } pinned && topology.Domains.ContainsKey(pinned))
        {
            return (pinned, ClassificationRule.Override, null);
        }

        // 2. The business number the update came to.
        if (topology.TryDomainOfPhoneNumberId(update.PhoneNumberId, out var byNumber))
        {
            return (byNumber, ClassificationRule.PhoneNumberId, update.PhoneNumberId);
        }

        if (update.Kind == UpdateKind.Message)
        {
            // 3. The id of the button or list row the user tapped.
            if (topology.TryDomainOfButton(update.InteractiveId, out var byButton, out var prefix))
            {
                return (byButton, ClassificationRule.Interactive, prefix);
            }

            // 4. Keywords, as whole words.
            if (topology.Keywords.Match(text) is { } match)
            {
                return (match.Domain, ClassificationRule.Keyword, match.Keyword);
            }
        }

        // 5. Where the user's conversation was (statuses only ever use this).
        if (personKey is not null && memory.TryRecall(personKey, now, out var remembered))
        {
            return (remembered, ClassificationRule.Memory, null);
        }

        // 6. Nothing matched.
        return (RouterTopology.FallbackDomain, ClassificationRule.Fallback, null);
    }
}
