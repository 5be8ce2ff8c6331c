using System.Text.Json;
using System.Text.Unicode;

namespace Cutover.Core.Webhooks;

/// <summary>
/// Reads a Meta webhook body in one forward pass with <see cref="Utf8JsonReader"/>, collecting every
/// update of every <c>entry[]</c> × <c>changes[]</c> (messages, statuses, and changes of other fields).
/// </summary>
/// <remarks>
/// The reader is strict about the envelope's containers (the root, <c>entry</c>, <c>changes</c>,
/// <c>value</c>, <c>messages</c>, <c>statuses</c> and their items) because a body that breaks them is
/// not from Meta, and lenient about scalar fields: a field of the wrong type is treated as absent, since
/// Meta adds and changes fields over time (ids are strings today, <c>time</c> is a number).
/// Properties come in any order (the corpus puts <c>field</c> after <c>value</c>), so facts about a
/// change (its field, phone number id, contacts) are applied to its updates once the change is read.
/// </remarks>
public static class WebhookParser
{
    /// <summary>The reader's limits: nesting deeper than this is refused as malformed.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public const string MessagesField = "messages";

    private const string WhatsAppBusinessAccount = "whatsapp_business_account";

    /// <summary>Parses <paramref name="body"/> into <paramref name="result"/> (which is reset first).</summary>
    /// <returns>false with <paramref name="error"/> naming the problem when the body is not a webhook.</returns>
    public static bool TryParse(ReadOnlySpan<byte> body, ParsedWebhook result, out string? error)
    {
        result.Reset();

        // Utf8JsonReader throws on a body with no token at all ("does not contain any JSON tokens"); say it plainly.
        if (body.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            error = "the body is empty: a webhook is a JSON object";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            ParseRoot(ref reader, result);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "malformed JSON: " + ex.Message;
        }
        catch (WebhookFormatException ex)
        {
            error = ex.Message;
        }
        catch (InvalidOperationException ex)
        {
            // GetString on text that is not valid UTF-8 ends up here rather than as a JsonException.
            error = "malformed JSON: " + ex.Message;
        }

        result.Reset();
        return false;
    }

    private static void ParseRoot(ref Utf8JsonReader reader, ParsedWebhook result)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException($"the body must be a JSON object, not {Describe(reader.TokenType)}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("object"u8))
            {
                result.ObjectType = ReadString(ref reader, WhatsAppBusinessAccount);
            }
            else if (reader.ValueTextEquals("entry"u8))
            {
                reader.Read();
                ExpectArray(ref reader, "entry");
                var entry = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ParseEntry(ref reader, result, entry++);
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (reader.Read())
        {
            throw new WebhookFormatException("unexpected data after the JSON object");
        }
    }

    private static void ParseEntry(ref Utf8JsonReader reader, ParsedWebhook result, int entry)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException($"entry[{entry}] must be an object, not {Describe(reader.TokenType)}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("changes"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var change = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        ParseChange(ref reader, result, entry, change++);
                    }
                }
                else
                {
                    throw new WebhookFormatException($"entry[{entry}].changes must be an array, not {Describe(reader.TokenType)}");
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static void ParseChange(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException($"entry[{entry}].changes[{change}] must be an object, not {Describe(reader.TokenType)}");
        }

        var first = result.Count;
        var field = string.Empty;
        var facts = default(ChangeFacts);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("field"u8))
            {
                reader.Read();
                field = reader.TokenType == JsonTokenType.String
                    ? (reader.ValueTextEquals("messages"u8) ? MessagesField : TryGetString(ref reader) ?? string.Empty)
                    : SkipAndReturn(ref reader, string.Empty);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ParseValue(ref reader, result, entry, change, ref facts);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    throw new WebhookFormatException(
                        $"entry[{entry}].changes[{change}].value must be an object, not {Describe(reader.TokenType)}");
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        var isMessages = ReferenceEquals(field, MessagesField) || (field.Length == 0 && result.Count > first);
        if (isMessages && result.Count > first)
        {
            for (var i = first; i < result.Count; i++)
            {
                ref var update = ref result.At(i);
                update.Field = MessagesField;
                update.PhoneNumberId = facts.PhoneNumberId;
                update.UserKey ??= facts.ContactKey;
            }

            return;
        }

        // Another field, or a messages change with nothing but errors: the whole change is one update.
        var itemKey = result.Count > first ? result.At(first).UserKey : null;
        result.RemoveFrom(first);
        ref var whole = ref result.Add();
        whole.Kind = UpdateKind.Change;
        whole.Entry = entry;
        whole.Change = change;
        whole.Item = -1;
        whole.Field = field;
        whole.PhoneNumberId = facts.PhoneNumberId;
        whole.UserKey = facts.ContactKey ?? itemKey ?? facts.OtherKey;
    }

    private static void ParseValue(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, ref ChangeFacts facts)
    {
        bool seenMessages = false, seenStatuses = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("phone_number_id"u8))
                    {
                        // A deployment has a few business numbers: a pooled result keeps the last one's string.
                        facts.PhoneNumberId = ReadString(ref reader, result.RecentPhoneNumberId);
                        result.RecentPhoneNumberId = facts.PhoneNumberId ?? result.RecentPhoneNumberId;
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else if (reader.ValueTextEquals("contacts"u8))
            {
                // Read, then keep the first: `x ??= Read(...)` would not read a repeated property at all and
                // leave the reader inside its value. The same holds for every "first one wins" below.
                var contactKey = ReadFirstKey(ref reader, "wa_id"u8, "user_id"u8);
                facts.ContactKey ??= contactKey;
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                ExpectOnce(ref seenMessages, entry, change, "messages");
                reader.Read();
                ExpectArray(ref reader, entry, change, "messages");
                var item = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ParseMessage(ref reader, result, entry, change, item++, facts.ContactKey);
                }
            }
            else if (reader.ValueTextEquals("statuses"u8))
            {
                ExpectOnce(ref seenStatuses, entry, change, "statuses");
                reader.Read();
                ExpectArray(ref reader, entry, change, "statuses");
                var item = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ParseStatus(ref reader, result, entry, change, item++);
                }
            }
            else if (reader.ValueTextEquals("user_preferences"u8))
            {
                var preferenceKey = ReadFirstKey(ref reader, "wa_id"u8, "user_id"u8);
                facts.OtherKey ??= preferenceKey;
            }
            else if (reader.ValueTextEquals("message_echoes"u8))
            {
                // Echoes of what the business sent from the app: the user is the recipient.
                var echoKey = ReadFirstKey(ref reader, "to"u8, "to_user_id"u8);
                facts.OtherKey ??= echoKey;
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    /// <param name="contactKey">The change's first <c>contacts[].wa_id</c> so far: Meta sends it before the messages,
    /// and a message's <c>from</c> is the same number, so its string is reused.</param>
    private static void ParseMessage(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, int item, string? contactKey)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException(
                $"entry[{entry}].changes[{change}].value.messages[{item}] must be an object, not {Describe(reader.TokenType)}");
        }

        ref var update = ref result.Add();
        update.Kind = UpdateKind.Message;
        update.Entry = entry;
        update.Change = change;
        update.Item = item;
        update.Field = MessagesField;
        update.TextStart = result.TextLength;
        string? from = null, fromUserId = null, systemKey = null, interactiveId = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("from"u8))
            {
                from = ReadString(ref reader, contactKey);
            }
            else if (reader.ValueTextEquals("from_user_id"u8))
            {
                fromUserId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                update.Id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                update.MessageType = ReadKnown(ref reader, KnownMessageTypes);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                ReadTextFields(ref reader, result, "body"u8, default);
            }
            else if (reader.ValueTextEquals("interactive"u8))
            {
                var replyId = ReadInteractive(ref reader, result);
                interactiveId ??= replyId;
            }
            else if (reader.ValueTextEquals("button"u8))
            {
                // A quick-reply button of a template: the payload is the developer's id.
                var payload = ReadTextFields(ref reader, result, "text"u8, "payload"u8);
                interactiveId ??= payload;
            }
            else if (reader.ValueTextEquals("image"u8) || reader.ValueTextEquals("video"u8)
                || reader.ValueTextEquals("document"u8) || reader.ValueTextEquals("sticker"u8)
                || reader.ValueTextEquals("audio"u8))
            {
                ReadTextFields(ref reader, result, "caption"u8, default);
            }
            else if (reader.ValueTextEquals("order"u8))
            {
                ReadTextFields(ref reader, result, "text"u8, default);
            }
            else if (reader.ValueTextEquals("system"u8))
            {
                systemKey = ReadObjectKey(ref reader, "wa_id"u8, "user_id"u8);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        update.InteractiveId = interactiveId;
        update.UserKey = from ?? fromUserId ?? systemKey;
        update.TextLength = result.TextLength - update.TextStart;
    }

    private static void ParseStatus(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, int item)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException(
                $"entry[{entry}].changes[{change}].value.statuses[{item}] must be an object, not {Describe(reader.TokenType)}");
        }

        ref var update = ref result.Add();
        update.Kind = UpdateKind.Status;
        update.Entry = entry;
        update.Change = change;
        update.Item = item;
        update.Field = MessagesField;
        string? recipient = null, recipientUserId = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                update.Id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                update.Status = ReadKnown(ref reader, KnownStatuses);
            }
            else if (reader.ValueTextEquals("recipient_id"u8))
            {
                recipient = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("recipient_user_id"u8))
            {
                recipientUserId = ReadString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        update.UserKey = recipient ?? recipientUserId;
    }

    /// <summary>Reads <c>interactive</c>: returns the reply id; appends titles and description to the text.</summary>
    private static string? ReadInteractive(ref Utf8JsonReader reader, ParsedWebhook result)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("button_reply"u8) || reader.ValueTextEquals("list_reply"u8))
            {
                var replyId = ReadTextFields(ref reader, result, "title"u8, "id"u8, "description"u8);
                id ??= replyId;
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return id;
    }

    /// <summary>
    /// Reads an object, appending the string values of <paramref name="textName"/> (and
    /// <paramref name="moreText"/>) to the text, and returning the value of <paramref name="idName"/>.
    /// </summary>
    private static string? ReadTextFields(
        ref Utf8JsonReader reader, ParsedWebhook result, ReadOnlySpan<byte> textName, ReadOnlySpan<byte> idName,
        ReadOnlySpan<byte> moreText = default)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(textName) || (!moreText.IsEmpty && reader.ValueTextEquals(moreText)))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    AppendText(ref reader, result);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (!idName.IsEmpty && reader.ValueTextEquals(idName))
            {
                id = ReadString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return id;
    }

    /// <summary>
    /// Items are numbered within their list, and a split places them by that number: a second list of the
    /// same name would number from 0 again and could send an update twice. Meta never repeats them.
    /// </summary>
    private static void ExpectOnce(ref bool seen, int entry, int change, string list)
    {
        if (seen)
        {
            throw new WebhookFormatException($"entry[{entry}].changes[{change}].value.{list} appears twice");
        }

        seen = true;
    }

    private static void AppendText(ref Utf8JsonReader reader, ParsedWebhook result)
    {
        // An unescaped string never has more UTF-16 code units than its UTF-8 bytes; +1 for the separator.
        var room = result.ReserveText(reader.ValueSpan.Length + 1);
        int written;
        try
        {
            written = reader.CopyString(room);
        }
        catch (InvalidOperationException) when (Utf8.IsValid(reader.ValueSpan))
        {
            // An escaped lone surrogate ("\uD83D" of a broken emoji) is valid JSON that UTF-16 cannot hold:
            // the text is left out of classification; the update itself, and its bytes, go on.
            // Raw bytes that are not UTF-8 are another matter: not JSON, so not from Meta (400).
            return;
        }

        room[written] = ' ';
        result.CommitText(written + 1);
    }

    /// <summary>Reads an array of objects and returns the first non-null <paramref name="primary"/> (else <paramref name="secondary"/>) value.</summary>
    private static string? ReadFirstKey(ref Utf8JsonReader reader, ReadOnlySpan<byte> primary, ReadOnlySpan<byte> secondary)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        string? key = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var found = ReadObjectKeyAtStart(ref reader, primary, secondary);
            key ??= found;
        }

        return key;
    }

    private static string? ReadObjectKey(ref Utf8JsonReader reader, ReadOnlySpan<byte> primary, ReadOnlySpan<byte> secondary)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        return ReadObjectKeyAtStart(ref reader, primary, secondary);
    }

    private static string? ReadObjectKeyAtStart(ref Utf8JsonReader reader, ReadOnlySpan<byte> primary, ReadOnlySpan<byte> secondary)
    {
        string? first = null, second = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(primary))
            {
                first = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(secondary))
            {
                second = ReadString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return first ?? second;
    }

    /// <summary>Reads the value after a property name as a string; a value of another type counts as absent.</summary>
    /// <param name="reuse">A string the value is likely to equal: returned instead of a new one when it does.</param>
    private static string? ReadString(ref Utf8JsonReader reader, string? reuse = null)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reuse is not null && !reader.ValueIsEscaped && !reader.HasValueSequence
                && System.Text.Ascii.Equals(reader.ValueSpan, reuse))
            {
                return reuse;
            }

            var value = TryGetString(ref reader);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        reader.Skip();
        return null;
    }

    private static string? ReadKnown(ref Utf8JsonReader reader, KnownValue[] known)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        foreach (var candidate in known)
        {
            if (reader.ValueTextEquals(candidate.Utf8))
            {
                return candidate.Text;
            }
        }

        return TryGetString(ref reader);
    }

    /// <summary>
    /// The string, or null for one that UTF-16 cannot hold (an escaped lone surrogate): absent, like a value
    /// of the wrong type. Raw bytes that are not UTF-8 still throw: such a body is not JSON.
    /// </summary>
    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException) when (Utf8.IsValid(reader.ValueSpan))
        {
            return null;
        }
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static T SkipAndReturn<T>(ref Utf8JsonReader reader, T value)
    {
        reader.Skip();
        return value;
    }

    private static void ExpectArray(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new WebhookFormatException($"{name} must be an array, not {Describe(reader.TokenType)}");
        }
    }

    private static void ExpectArray(ref Utf8JsonReader reader, int entry, int change, string name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new WebhookFormatException(
                $"entry[{entry}].changes[{change}].value.{name} must be an array, not {Describe(reader.TokenType)}");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private struct ChangeFacts
    {
        public string? PhoneNumberId;
        public string? ContactKey;
        public string? OtherKey;
    }

    private readonly record struct KnownValue(byte[] Utf8, string Text)
    {
        public static KnownValue[] Of(params string[] values) =>
            Array.ConvertAll(values, static v => new KnownValue(System.Text.Encoding.UTF8.GetBytes(v), v));
    }

    private static readonly KnownValue[] KnownMessageTypes = KnownValue.Of(
        "text", "interactive", "button", "image", "audio", "video", "document", "sticker", "location", "contacts",
        "reaction", "order", "system", "unsupported", "unknown", "request_welcome", "revoke", "edit", "ephemeral");

    private static readonly KnownValue[] KnownStatuses = KnownValue.Of(
        "sent", "delivered", "read", "played", "failed", "deleted", "warning");
}
