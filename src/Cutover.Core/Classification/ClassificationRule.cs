namespace Cutover.Core.Classification;

/// <summary>The rule that decided an update's domain, in the order the rules are tried.</summary>
public enum ClassificationRule
{
    /// <summary>A per-user domain override set by an operator.</summary>
    Override = 0,

    /// <summary><c>metadata.phone_number_id</c> belongs to one domain.</summary>
    PhoneNumberId = 1,

    /// <summary>An interactive reply id or template button payload has a domain's prefix.</summary>
    Interactive = 2,

    /// <summary>A domain keyword appears in the text as a whole word.</summary>
    Keyword = 3,

    /// <summary>The user's last domain, seen within the memory's time to live.</summary>
    Memory = 4,

    /// <summary>A change of a field other than <c>messages</c>, sent to that field's upstream.</summary>
    Field = 5,

    /// <summary>Nothing matched: the fallback domain.</summary>
    Fallback = 6,

    /// <summary>A status follows the person's last inbound message within the conversation window: its domain and upstream.</summary>
    Conversation = 7,
}
