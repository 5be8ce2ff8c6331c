namespace Cutover.Core.Webhooks;

/// <summary>
/// The identifiers of one person as one object of a webhook gives them: the phone number (<c>wa_id</c>, <c>from</c>,
/// <c>recipient_id</c>), the business-scoped user id (BSUID: <c>user_id</c>, <c>from_user_id</c>,
/// <c>recipient_user_id</c>) and the parent BSUID of linked accounts. Each is plain or a digest
/// (<see cref="WebhookIds.Plain"/>).
/// </summary>
internal readonly record struct PersonIds(string? Phone, string? UserId, string? ParentUserId)
{
    /// <summary>The key routing has always used: the phone number, else the BSUID, else the parent BSUID.</summary>
    public string? Key => Phone ?? UserId ?? ParentUserId;

    public static PersonIds Plain(string? phone, string? userId, string? parent) =>
        new(WebhookIds.Plain(phone), WebhookIds.Plain(userId), WebhookIds.Plain(parent));

    /// <summary>
    /// The identifiers of a message or status, made plain; a string equal to the contact's was read as the contact's
    /// own (already plain) and is kept without a second look.
    /// </summary>
    public static PersonIds Of(string? phone, string? userId, string? parent, in PersonIds contact) => new(
        ReferenceEquals(phone, contact.Phone) ? phone : WebhookIds.Plain(phone),
        ReferenceEquals(userId, contact.UserId) ? userId : WebhookIds.Plain(userId),
        ReferenceEquals(parent, contact.ParentUserId) ? parent : WebhookIds.Plain(parent));

    public void CopyTo(ref WebhookUpdate update)
    {
        update.UserKey = Key;
        update.UserId = UserId;
        update.ParentUserId = ParentUserId;
    }

    /// <summary>
    /// Completes an update with what the change's <c>contacts[]</c> says about the same person: an update with no
    /// identifier takes the contact's (as routing always did), one that shares an identifier with the contact takes
    /// the identifiers it lacks. A contact that names someone else adds nothing.
    /// </summary>
    public void FillIn(ref WebhookUpdate update)
    {
        if (Key is null)
        {
            return;
        }

        if (update.UserKey is null)
        {
            CopyTo(ref update);
            return;
        }

        var same = (Phone is not null && string.Equals(Phone, update.UserKey, StringComparison.Ordinal))
            || (UserId is not null && string.Equals(UserId, update.UserId, StringComparison.Ordinal));
        if (!same)
        {
            return;
        }

        update.UserId ??= UserId;
        update.ParentUserId ??= ParentUserId;

        // A username user's status may name only the BSUID while the contact also gives the phone: the phone is the key.
        if (Phone is not null && !string.Equals(update.UserKey, Phone, StringComparison.Ordinal))
        {
            update.UserKey = Phone;
        }
    }
}
