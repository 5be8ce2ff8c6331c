namespace Cutover.Testing;

/// <summary>
/// One update for <see cref="WebhookBuilder"/>: a message (text, button reply, image, …) or a status, from
/// or to one user. Built with the static helpers: <c>Msg.Text("250788000001", "I need a job")</c>.
/// </summary>
public sealed record Msg(string User, string Kind, string? Content = null, string? Id = null, string? ButtonId = null, bool UsernameOnly = false)
{
    private static long _sequence;

    public string MessageId { get; init; } = Id ?? $"wamid.T{Interlocked.Increment(ref _sequence):D10}";

    public static Msg Text(string user, string body) => new(user, "text", body);

    public static Msg Button(string user, string id, string title = "Choose") => new(user, "button_reply", title, ButtonId: id);

    public static Msg ListReply(string user, string id, string title = "Pick") => new(user, "list_reply", title, ButtonId: id);

    public static Msg Template(string user, string payload, string text = "Yes") => new(user, "button", text, ButtonId: payload);

    public static Msg Image(string user, string? caption = null) => new(user, "image", caption);

    public static Msg Location(string user) => new(user, "location");

    public static Msg Status(string user, string status = "delivered") => new(user, "status", status);
}
