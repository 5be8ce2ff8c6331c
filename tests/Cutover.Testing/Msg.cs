namespace Cutover.Testing;

/// <summary>
/// One update for <see cref="WebhookBuilder"/>: a message (text, button reply, image, …) or a status, from
/// or to one user. Built with the static helpers: <c>Msg.Text("250788000001", "I need a job")</c>.
/// </summary>
public sealed record Msg(string User, string Kind, string? Content = null, string? Id = null, string? ButtonId = null, bool UsernameOnly = false)
{
    private static long _sequence;

    public string MessageId { get; init; } = Id ?? $"wamid.T{Interlocked.Increment(ref _sequence):D10}";

    /// <summary>
    /// The business-scoped user id (BSUID) of the same person, written beside the phone number: <c>from_user_id</c>,
    /// <c>recipient_user_id</c> and the contact's <c>user_id</c>, as Meta sends them for a user it knows both ways.
    /// </summary>
    public string? UserId { get; init; }

    /// <summary>For a <see cref="System"/> message: the identifier the person changed to (<c>system.wa_id</c>).</summary>
    public string? ChangedTo { get; init; }

    /// <summary>Whether the change's <c>contacts[]</c> names this user (Meta sends none with most statuses).</summary>
    public bool InContacts { get; init; } = true;

    public static Msg Text(string user, string body) => new(user, "text", body);

    public static Msg Button(string user, string id, string title = "Choose") => new(user, "button_reply", title, ButtonId: id);

    public static Msg ListReply(string user, string id, string title = "Pick") => new(user, "list_reply", title, ButtonId: id);

    public static Msg Template(string user, string payload, string text = "Yes") => new(user, "button", text, ButtonId: payload);

    public static Msg Image(string user, string? caption = null) => new(user, "image", caption);

    public static Msg Location(string user) => new(user, "location");

    public static Msg Status(string user, string status = "delivered") => new(user, "status", status);

    /// <summary>A status of a message sent to a username user: <c>recipient_user_id</c> alone, no contact.</summary>
    public static Msg StatusToUserId(string userId, string messageId, string status = "delivered") =>
        new(userId, "status", status, messageId, UsernameOnly: true) { InContacts = false };

    /// <summary>A message from a username user: <c>from_user_id</c> and the contact's <c>user_id</c>, no phone number.</summary>
    public static Msg TextFromUserId(string userId, string body) => new(userId, "text", body, UsernameOnly: true);

    /// <summary>
    /// <c>system</c> <c>user_changed_number</c> (WHATSAPP.md §3.3): <c>from</c> is the old number, <c>system.wa_id</c>
    /// the new one; Meta sends no contact with it.
    /// </summary>
    public static Msg ChangedNumber(string oldNumber, string newNumber) =>
        new(oldNumber, "system", $"User changed from {oldNumber} to {newNumber}") { ChangedTo = newNumber, InContacts = false };
}
