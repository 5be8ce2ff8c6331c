using System.Buffers;
using System.Text.Json;

namespace Cutover.Testing;

/// <summary>
/// Builds Meta webhook envelopes for tests: one entry per call to <see cref="Entry"/>, one change per
/// list of updates, messages and statuses of several users mixed as Meta may batch them.
/// </summary>
public sealed class WebhookBuilder
{
    public const string DefaultPhoneNumberId = "106540352242922";
    private readonly List<(string WabaId, List<(string PhoneNumberId, List<Msg> Updates)> Changes)> _entries = [];

    public static byte[] Of(params Msg[] updates) => new WebhookBuilder().Change(updates).Build();

    public static byte[] OfPhone(string phoneNumberId, params Msg[] updates) => new WebhookBuilder().Change(phoneNumberId, updates).Build();

    public WebhookBuilder Entry(string wabaId = "102290129340398")
    {
        _entries.Add((wabaId, []));
        return this;
    }

    public WebhookBuilder Change(params Msg[] updates) => Change(DefaultPhoneNumberId, updates);

    public WebhookBuilder Change(string phoneNumberId, params Msg[] updates)
    {
        if (_entries.Count == 0)
        {
            Entry();
        }

        _entries[^1].Changes.Add((phoneNumberId, [.. updates]));
        return this;
    }

    public byte[] Build()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "whatsapp_business_account");
            w.WriteStartArray("entry");
            foreach (var (waba, changes) in _entries)
            {
                w.WriteStartObject();
                w.WriteString("id", waba);
                w.WriteStartArray("changes");
                foreach (var (phone, updates) in changes)
                {
                    WriteChange(w, phone, updates);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A change of a non-messages field, such as account_update.</summary>
    public static byte[] FieldChange(string field, string eventName = "VERIFIED_ACCOUNT") =>
        System.Text.Encoding.UTF8.GetBytes($$"""
            {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1700000000,"changes":[{"value":{"event":"{{eventName}}"},"field":"{{field}}"}]}]}
            """);

    private static void WriteChange(Utf8JsonWriter w, string phoneNumberId, List<Msg> updates)
    {
        w.WriteStartObject();
        w.WriteStartObject("value");
        w.WriteString("messaging_product", "whatsapp");
        w.WriteStartObject("metadata");
        w.WriteString("display_phone_number", "15550783881");
        w.WriteString("phone_number_id", phoneNumberId);
        w.WriteEndObject();
        w.WriteStartArray("contacts");
        foreach (var user in updates.Where(static u => u.InContacts).DistinctBy(static u => u.User))
        {
            w.WriteStartObject();
            w.WriteStartObject("profile");
            w.WriteString("name", "Test " + user.User);
            w.WriteEndObject();
            if (!user.UsernameOnly)
            {
                w.WriteString("wa_id", user.User);
                if (user.UserId is not null)
                {
                    w.WriteString("user_id", user.UserId);
                }
            }
            else
            {
                w.WriteString("user_id", user.User);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        var messages = updates.Where(static u => u.Kind != "status").ToList();
        if (messages.Count > 0)
        {
            w.WriteStartArray("messages");
            foreach (var m in messages)
            {
                WriteMessage(w, m);
            }

            w.WriteEndArray();
        }

        var statuses = updates.Where(static u => u.Kind == "status").ToList();
        if (statuses.Count > 0)
        {
            w.WriteStartArray("statuses");
            foreach (var s in statuses)
            {
                w.WriteStartObject();
                w.WriteString("id", s.MessageId);
                w.WriteString("status", s.Content);
                w.WriteString("timestamp", "1700000000");
                w.WriteString(s.UsernameOnly ? "recipient_user_id" : "recipient_id", s.User);
                if (s.UserId is not null && !s.UsernameOnly)
                {
                    w.WriteString("recipient_user_id", s.UserId);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteString("field", "messages");
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, Msg m)
    {
        w.WriteStartObject();
        w.WriteString(m.UsernameOnly ? "from_user_id" : "from", m.User);
        if (m.UserId is not null && !m.UsernameOnly)
        {
            w.WriteString("from_user_id", m.UserId);
        }

        w.WriteString("id", m.MessageId);
        w.WriteString("timestamp", "1700000000");
        switch (m.Kind)
        {
            case "text":
                w.WriteString("type", "text");
                w.WriteStartObject("text");
                w.WriteString("body", m.Content);
                w.WriteEndObject();
                break;
            case "button_reply" or "list_reply":
                w.WriteString("type", "interactive");
                w.WriteStartObject("interactive");
                w.WriteString("type", m.Kind);
                w.WriteStartObject(m.Kind);
                w.WriteString("id", m.ButtonId);
                w.WriteString("title", m.Content);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case "button":
                w.WriteString("type", "button");
                w.WriteStartObject("button");
                w.WriteString("payload", m.ButtonId);
                w.WriteString("text", m.Content);
                w.WriteEndObject();
                break;
            case "image":
                w.WriteString("type", "image");
                w.WriteStartObject("image");
                w.WriteString("id", "1234567890");
                w.WriteString("mime_type", "image/jpeg");
                if (m.Content is not null)
                {
                    w.WriteString("caption", m.Content);
                }

                w.WriteEndObject();
                break;
            case "system":
                w.WriteString("type", "system");
                w.WriteStartObject("system");
                w.WriteString("body", m.Content);
                w.WriteString("wa_id", m.ChangedTo);
                w.WriteString("type", "user_changed_number");
                w.WriteEndObject();
                break;
            case "location":
                w.WriteString("type", "location");
                w.WriteStartObject("location");
                w.WriteNumber("latitude", -1.95);
                w.WriteNumber("longitude", 30.06);
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
    }
}
