namespace Cutover.Core.Webhooks;

/// <summary>
/// One update found in a webhook POST, with only what routing needs. Strings that come from a
/// closed set (type, status, field) are interned literals, so reading them allocates nothing.
/// </summary>
public struct WebhookUpdate
{
    public UpdateKind Kind;

    /// <summary>Index of the <c>entry[]</c> item.</summary>
    public int Entry;

    /// <summary>Index of the <c>changes[]</c> item within its entry.</summary>
    public int Change;

    /// <summary>Index within <c>messages[]</c> or <c>statuses[]</c>; -1 for a whole change.</summary>
    public int Item;

    /// <summary><c>changes[].field</c>; empty when absent.</summary>
    public string Field;

    /// <summary>The user key (phone number, else business-scoped user id); null when none is present.</summary>
    public string? UserKey;

    /// <summary>The business-scoped user id (BSUID) of the same person, when the update or its contact gives one.</summary>
    public string? UserId;

    /// <summary>The parent BSUID of linked accounts, when given.</summary>
    public string? ParentUserId;

    /// <summary>
    /// For a <c>system</c> message (<c>user_changed_number</c>, <c>user_changed_user_id</c>): the identifier the person
    /// changed to, when it is not <see cref="UserKey"/>.
    /// </summary>
    public string? NewUserKey;

    /// <summary>Message id (wamid) or status id.</summary>
    public string? Id;

    /// <summary>For a status: sent, delivered, read, played, failed, …</summary>
    public string? Status;

    /// <summary>For a message: its <c>type</c>.</summary>
    public string? MessageType;

    /// <summary><c>value.metadata.phone_number_id</c> of the change.</summary>
    public string? PhoneNumberId;

    /// <summary><c>interactive.button_reply.id</c>, <c>list_reply.id</c> or template <c>button.payload</c>.</summary>
    public string? InteractiveId;

    /// <summary>Start of the message's text (body, caption, titles) in <see cref="ParsedWebhook.Text"/>.</summary>
    public int TextStart;

    /// <summary>Length of that text; 0 when the message has none.</summary>
    public int TextLength;

    /// <summary>The key an upstream can deduplicate on: the message id, or status id + ":" + status.</summary>
    public readonly string? IdempotencyKey => Kind switch
    {
        UpdateKind.Status when Id is not null && Status is not null => string.Concat(Id, ":", Status),
        _ => Id,
    };
}
