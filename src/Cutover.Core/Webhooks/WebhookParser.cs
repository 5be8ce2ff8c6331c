using System.Diagnostics.CodeAnalysis;
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
/// <para>
/// Two things are refused before anything is routed, because the router and the upstreams would read the body
/// differently: bytes that are not UTF-8 (RFC 8259 requires it; an upstream could not read them either), and a key the
/// parser reads appearing twice in one object (<c>"entry"</c>, <c>"changes"</c>, <c>"value"</c>, <c>"id"</c>, …): this
/// parser would route one copy while the splitter, or an upstream that keeps the last copy, delivered the other.
/// Identifiers are kept only as plain tokens (<see cref="WebhookIds"/>).
/// </para>
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

        // Validated whole and up front (vectorised, a few nanoseconds a kilobyte): the reader checks only the strings it
        // decodes, so bytes inside a skipped field would otherwise be forwarded to upstreams that cannot read them.
        if (!Utf8.IsValid(body))
        {
            error = $"malformed JSON: the body is not UTF-8 (an invalid byte sequence at offset {InvalidUtf8Offset(body)}); a webhook is UTF-8 JSON";
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

        var seen = 0u;
        var where = Where.Root;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("object"u8))
            {
                Once(ref seen, 1, ref reader, where);
                result.ObjectType = ReadString(ref reader, WhatsAppBusinessAccount);
            }
            else if (reader.ValueTextEquals("entry"u8))
            {
                Once(ref seen, 2, ref reader, where);
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

        // Forwarded whole to the fallback upstream, a body with no entry list would reach a handler as a "webhook" that
        // no Meta reader can take for one.
        if ((seen & 2) == 0)
        {
            throw new WebhookFormatException("the body has no entry array: every webhook from Meta has one");
        }
    }

    private static void ParseEntry(ref Utf8JsonReader reader, ParsedWebhook result, int entry)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookFormatException($"entry[{entry}] must be an object, not {Describe(reader.TokenType)}");
        }

        var seen = 0u;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("changes"u8))
            {
                Once(ref seen, 1, ref reader, new Where(Place.Entry, entry));
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

        if (seen == 0)
        {
            throw new WebhookFormatException($"entry[{entry}] has no changes array: every entry from Meta has one");
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
        var seen = 0u;
        var where = new Where(Place.Change, entry, change);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("field"u8))
            {
                Once(ref seen, 1, ref reader, where);
                reader.Read();
                field = reader.TokenType == JsonTokenType.String
                    ? (reader.ValueTextEquals("messages"u8) ? MessagesField : TryGetString(ref reader) ?? string.Empty)
                    : SkipAndReturn(ref reader, string.Empty);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                Once(ref seen, 2, ref reader, where);
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
                facts.Contact.FillIn(ref update);
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
        whole.UserKey = facts.Contact.Key ?? itemKey ?? facts.OtherKey;
    }

    private static void ParseValue(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, ref ChangeFacts facts)
    {
        var seen = 0u;
        var where = new Where(Place.Value, entry, change);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                Once(ref seen, 1, ref reader, where);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                var seenInMetadata = 0u;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("phone_number_id"u8))
                    {
                        Once(ref seenInMetadata, 1, ref reader, new Where(Place.Metadata, entry, change));
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
                Once(ref seen, 2, ref reader, where);
                facts.Contact = ReadFirstIds(ref reader, "wa_id"u8, "user_id"u8, "parent_user_id"u8, new Where(Place.Contacts, entry, change));
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                Once(ref seen, 4, ref reader, where);
                reader.Read();
                ExpectArray(ref reader, entry, change, "messages");
                var item = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ParseMessage(ref reader, result, entry, change, item++, in facts.Contact);
                }
            }
            else if (reader.ValueTextEquals("statuses"u8))
            {
                Once(ref seen, 8, ref reader, where);
                reader.Read();
                ExpectArray(ref reader, entry, change, "statuses");
                var item = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ParseStatus(ref reader, result, entry, change, item++, in facts.Contact);
                }
            }
            else if (reader.ValueTextEquals("user_preferences"u8))
            {
                Once(ref seen, 16, ref reader, where);
                var preference = ReadFirstIds(ref reader, "wa_id"u8, "user_id"u8, default, new Where(Place.UserPreferences, entry, change));
                facts.OtherKey ??= preference.Key;
            }
            else if (reader.ValueTextEquals("message_echoes"u8))
            {
                // Echoes of what the business sent from the app: the user is the recipient.
                Once(ref seen, 32, ref reader, where);
                var echo = ReadFirstIds(ref reader, "to"u8, "to_user_id"u8, default, new Where(Place.MessageEchoes, entry, change));
                facts.OtherKey ??= echo.Key;
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    /// <param name="contact">The change's first <c>contacts[]</c> so far: Meta sends it before the messages, and a
    /// message's <c>from</c> and <c>from_user_id</c> are the same identifiers, so their strings are reused.</param>
    private static void ParseMessage(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, int item, in PersonIds contact)
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
        string? from = null, fromUserId = null, fromParent = null, interactiveId = null;
        PersonIds system = default;
        var seen = 0u;
        var where = new Where(Place.Message, entry, change, item);

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("from"u8))
            {
                Once(ref seen, 1, ref reader, where);
                from = ReadString(ref reader, contact.Phone);
            }
            else if (reader.ValueTextEquals("from_user_id"u8))
            {
                Once(ref seen, 2, ref reader, where);
                fromUserId = ReadString(ref reader, contact.UserId);
            }
            else if (reader.ValueTextEquals("from_parent_user_id"u8))
            {
                Once(ref seen, 512, ref reader, where);
                fromParent = ReadString(ref reader, contact.ParentUserId);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Once(ref seen, 4, ref reader, where);
                update.Id = WebhookIds.Plain(ReadString(ref reader));
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                Once(ref seen, 8, ref reader, where);
                update.MessageType = ReadKnown(ref reader, KnownMessageTypes);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                Once(ref seen, 16, ref reader, where);
                ReadTextFields(ref reader, result, "body"u8, default, where.Inside("text"));
            }
            else if (reader.ValueTextEquals("interactive"u8))
            {
                Once(ref seen, 32, ref reader, where);
                interactiveId ??= ReadInteractive(ref reader, result, where.Inside("interactive"));
            }
            else if (reader.ValueTextEquals("button"u8))
            {
                // A quick-reply button of a template: the payload is the developer's id.
                Once(ref seen, 64, ref reader, where);
                var payload = ReadTextFields(ref reader, result, "text"u8, "payload"u8, where.Inside("button"));
                interactiveId ??= payload;
            }
            else if (MediaOf(ref reader) is { } media)
            {
                Once(ref seen, media.Bit, ref reader, where);
                ReadTextFields(ref reader, result, "caption"u8, default, where.Inside(media.Name));
            }
            else if (reader.ValueTextEquals("order"u8))
            {
                Once(ref seen, 128, ref reader, where);
                ReadTextFields(ref reader, result, "text"u8, default, where.Inside("order"));
            }
            else if (reader.ValueTextEquals("system"u8))
            {
                Once(ref seen, 256, ref reader, where);
                system = ReadObjectIds(ref reader, "wa_id"u8, "user_id"u8, default, where.Inside("system"));
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        update.InteractiveId = interactiveId;
        var ids = PersonIds.Of(from, fromUserId, fromParent, in contact);
        ids.CopyTo(ref update);
        if (system.Key is not null)
        {
            // user_changed_number / user_changed_user_id: from is the old identifier, system's the new one. Without a
            // from (a username user), the system object's identifier is the only key there is, as before.
            update.UserKey ??= system.Key;
            update.NewUserKey = string.Equals(system.Key, update.UserKey, StringComparison.Ordinal) ? null : system.Key;
        }

        update.TextLength = result.TextLength - update.TextStart;
    }

    private static void ParseStatus(ref Utf8JsonReader reader, ParsedWebhook result, int entry, int change, int item, in PersonIds contact)
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
        string? recipient = null, recipientUserId = null, recipientParent = null;
        var seen = 0u;
        var where = new Where(Place.Status, entry, change, item);

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Once(ref seen, 1, ref reader, where);
                update.Id = WebhookIds.Plain(ReadString(ref reader));
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                Once(ref seen, 2, ref reader, where);
                update.Status = WebhookIds.Plain(ReadKnown(ref reader, KnownStatuses));
            }
            else if (reader.ValueTextEquals("recipient_id"u8))
            {
                Once(ref seen, 4, ref reader, where);
                recipient = ReadString(ref reader, contact.Phone);
            }
            else if (reader.ValueTextEquals("recipient_user_id"u8))
            {
                Once(ref seen, 8, ref reader, where);
                recipientUserId = ReadString(ref reader, contact.UserId);
            }
            else if (reader.ValueTextEquals("parent_recipient_user_id"u8))
            {
                Once(ref seen, 16, ref reader, where);
                recipientParent = ReadString(ref reader, contact.ParentUserId);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        PersonIds.Of(recipient, recipientUserId, recipientParent, in contact).CopyTo(ref update);
    }

    /// <summary>Reads <c>interactive</c>: returns the reply id; appends titles and description to the text.</summary>
    private static string? ReadInteractive(ref Utf8JsonReader reader, ParsedWebhook result, Where where)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? id = null;
        var seen = 0u;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var reply = reader.ValueTextEquals("button_reply"u8) ? 1u : reader.ValueTextEquals("list_reply"u8) ? 2u : 0u;
            if (reply != 0)
            {
                Once(ref seen, reply, ref reader, where);
                var replyId = ReadTextFields(
                    ref reader, result, "title"u8, "id"u8, where.Inside(reply == 1 ? "button_reply" : "list_reply"), "description"u8);
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
        ref Utf8JsonReader reader, ParsedWebhook result, ReadOnlySpan<byte> textName, ReadOnlySpan<byte> idName, Where where,
        ReadOnlySpan<byte> moreText = default)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? id = null;
        var seen = 0u;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var text = reader.ValueTextEquals(textName) ? 1u : !moreText.IsEmpty && reader.ValueTextEquals(moreText) ? 2u : 0u;
            if (text != 0)
            {
                Once(ref seen, text, ref reader, where);
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
                Once(ref seen, 4, ref reader, where);
                id = ReadString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return id;
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

    /// <summary>
    /// Reads an array of objects and returns the first non-null <paramref name="primary"/> (else <paramref name="secondary"/>)
    /// value, as a plain identifier.
    /// </summary>
    /// <remarks>Every item is read even once a key is found: the rest must be checked (and read past) all the same.</remarks>
    /// <summary>The identifiers of the first object of an array that has any (contacts, preferences, echoes).</summary>
    private static PersonIds ReadFirstIds(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> phone, ReadOnlySpan<byte> userId, ReadOnlySpan<byte> parent, Where where)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return default;
        }

        PersonIds ids = default;
        var item = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                item++;
                continue;
            }

            var found = ReadIdsAtStart(ref reader, phone, userId, parent, where.Item(item++));
            if (ids.Key is null)
            {
                ids = found;
            }
        }

        return ids;
    }

    private static PersonIds ReadObjectIds(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> phone, ReadOnlySpan<byte> userId, ReadOnlySpan<byte> parent, Where where)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        return ReadIdsAtStart(ref reader, phone, userId, parent, where);
    }

    /// <param name="parent">Empty where the object has no parent id to read.</param>
    private static PersonIds ReadIdsAtStart(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> phone, ReadOnlySpan<byte> userId, ReadOnlySpan<byte> parent, Where where)
    {
        string? first = null, second = null, third = null;
        var seen = 0u;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(phone))
            {
                Once(ref seen, 1, ref reader, where);
                first = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(userId))
            {
                Once(ref seen, 2, ref reader, where);
                second = ReadString(ref reader);
            }
            else if (!parent.IsEmpty && reader.ValueTextEquals(parent))
            {
                Once(ref seen, 4, ref reader, where);
                third = ReadString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return PersonIds.Plain(first, second, third);
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

    /// <summary>Records that this object has the key of <paramref name="bit"/>; a second time, the body is refused.</summary>
    private static void Once(ref uint seen, uint bit, ref Utf8JsonReader reader, in Where where)
    {
        if ((seen & bit) != 0)
        {
            Repeated(ref reader, where);
        }

        seen |= bit;
    }

    [DoesNotReturn]
    private static void Repeated(ref Utf8JsonReader reader, in Where where) =>
        throw new WebhookFormatException(
            $"{where} has the key \"{reader.GetString()}\" twice: Meta never repeats a key, and the copies could route the update differently");

    /// <summary>The media objects whose caption is keyword text; null for any other property.</summary>
    private static Media? MediaOf(ref Utf8JsonReader reader)
    {
        foreach (var media in MediaKinds)
        {
            if (reader.ValueTextEquals(media.Utf8))
            {
                return media;
            }
        }

        return null;
    }

    private static long InvalidUtf8Offset(ReadOnlySpan<byte> body)
    {
        Span<char> scratch = stackalloc char[256];
        var offset = 0;
        while (offset < body.Length)
        {
            var status = Utf8.ToUtf16(body[offset..], scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                break;
            }
        }

        return offset;
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

    private enum Place
    {
        Root,
        Entry,
        Change,
        Value,
        Metadata,
        Contacts,
        UserPreferences,
        MessageEchoes,
        Message,
        Status,
    }

    /// <summary>Where the reader is, for an error message: formatted only when a body is refused.</summary>
    private readonly record struct Where(Place Place, int Entry = 0, int Change = 0, int Index = 0, string? Inner = null, string? Inner2 = null)
    {
        public static Where Root => default;

        public Where Inside(string name) => Inner is null ? this with { Inner = name } : this with { Inner2 = name };

        public Where Item(int index) => this with { Index = index };

        public override string ToString()
        {
            var change = $"entry[{Entry}].changes[{Change}]";
            var path = Place switch
            {
                Place.Root => "the root object",
                Place.Entry => $"entry[{Entry}]",
                Place.Change => change,
                Place.Value => change + ".value",
                Place.Metadata => change + ".value.metadata",
                Place.Contacts => $"{change}.value.contacts[{Index}]",
                Place.UserPreferences => $"{change}.value.user_preferences[{Index}]",
                Place.MessageEchoes => $"{change}.value.message_echoes[{Index}]",
                Place.Message => $"{change}.value.messages[{Index}]",
                _ => $"{change}.value.statuses[{Index}]",
            };
            return path + (Inner is null ? string.Empty : "." + Inner) + (Inner2 is null ? string.Empty : "." + Inner2);
        }
    }

    private sealed record Media(byte[] Utf8, string Name, uint Bit);

    // Bits 1024 and up of a message's keys (ParseMessage uses 1 to 512): a shared bit would call two different keys repeated.
    private static readonly Media[] MediaKinds = [.. new[] { "image", "video", "document", "sticker", "audio" }.Select(
        static (name, i) => new Media(System.Text.Encoding.UTF8.GetBytes(name), name, 1024u << i))];

    private struct ChangeFacts
    {
        public string? PhoneNumberId;
        public PersonIds Contact;
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
