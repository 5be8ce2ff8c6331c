using System.Buffers;
using System.Text.Json;

namespace Cutover.Core.Webhooks;

/// <summary>
/// Cuts one webhook POST into several valid Meta envelopes, one per part, when its updates go to
/// different upstreams. Every message and status lands in exactly one part; each part keeps the
/// envelope around its updates (entry id and time, change field, metadata, the contacts of its users,
/// and any other property of the value), in the original order.
/// </summary>
/// <remarks>
/// This is the rare path (a POST whose users go different ways), so it favours clarity over
/// allocation: it reads the body into a <see cref="JsonDocument"/> and writes each part anew, copying
/// every name and value byte for byte (<see cref="RawJsonWriter"/>); only the containers are new.
/// </remarks>
public static class PayloadSplitter
{
    /// <param name="body">The original body, already parsed into <paramref name="webhook"/>.</param>
    /// <param name="webhook">The updates found in the body.</param>
    /// <param name="partOf">For each update, the index of the part it goes into (0..parts-1).</param>
    /// <param name="parts">How many parts to make.</param>
    public static byte[][] Split(ReadOnlySpan<byte> body, ParsedWebhook webhook, ReadOnlySpan<int> partOf, int parts)
    {
        if (partOf.Length != webhook.Count)
        {
            throw new ArgumentException("one part index is needed per update", nameof(partOf));
        }

        var plan = new Dictionary<(int Entry, int Change), ChangePlan>();
        for (var i = 0; i < webhook.Count; i++)
        {
            ref readonly var update = ref webhook[i];
            if (!plan.TryGetValue((update.Entry, update.Change), out var change))
            {
                plan[(update.Entry, update.Change)] = change = new ChangePlan();
            }

            change.Add(update, partOf[i]);
        }

        using var document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = WebhookParser.ReaderOptions.MaxDepth });
        var result = new byte[parts][];
        var buffer = new ArrayBufferWriter<byte>(body.Length);
        for (var part = 0; part < parts; part++)
        {
            buffer.ResetWrittenCount();
            WriteRoot(new RawJsonWriter(buffer), document.RootElement, plan, part);
            result[part] = buffer.WrittenSpan.ToArray();
        }

        return result;
    }

    private static void WriteRoot(RawJsonWriter writer, JsonElement root, Dictionary<(int, int), ChangePlan> plan, int part)
    {
        writer.StartObject();
        foreach (var property in root.EnumerateObject())
        {
            if (!property.NameEquals("entry"u8))
            {
                writer.Property(property);
                continue;
            }

            writer.Name(property);
            writer.StartArray();
            var entryIndex = 0;
            foreach (var entry in property.Value.EnumerateArray())
            {
                if (HasPart(plan, entryIndex, part))
                {
                    WriteEntry(writer, entry, entryIndex, plan, part);
                }

                entryIndex++;
            }

            writer.EndArray();
        }

        writer.EndObject();
    }

    private static void WriteEntry(RawJsonWriter writer, JsonElement entry, int entryIndex, Dictionary<(int, int), ChangePlan> plan, int part)
    {
        writer.StartObject();
        foreach (var property in entry.EnumerateObject())
        {
            if (!property.NameEquals("changes"u8))
            {
                writer.Property(property);
                continue;
            }

            writer.Name(property);
            writer.StartArray();
            var changeIndex = 0;
            foreach (var change in property.Value.EnumerateArray())
            {
                if (plan.TryGetValue((entryIndex, changeIndex), out var changePlan) && changePlan.Has(part))
                {
                    if (changePlan.WholePart == part)
                    {
                        writer.Value(change);
                    }
                    else
                    {
                        WriteChange(writer, change, changePlan, part);
                    }
                }

                changeIndex++;
            }

            writer.EndArray();
        }

        writer.EndObject();
    }

    private static void WriteChange(RawJsonWriter writer, JsonElement change, ChangePlan plan, int part)
    {
        writer.StartObject();
        foreach (var property in change.EnumerateObject())
        {
            if (!property.NameEquals("value"u8) || property.Value.ValueKind != JsonValueKind.Object)
            {
                writer.Property(property);
                continue;
            }

            writer.Name(property);
            WriteValue(writer, property.Value, plan, part);
        }

        writer.EndObject();
    }

    private static void WriteValue(RawJsonWriter writer, JsonElement value, ChangePlan plan, int part)
    {
        var users = plan.UsersOf(part);
        writer.StartObject();
        foreach (var property in value.EnumerateObject())
        {
            if (property.NameEquals("messages"u8))
            {
                WriteItems(writer, property, plan.MessageParts, part);
            }
            else if (property.NameEquals("statuses"u8))
            {
                WriteItems(writer, property, plan.StatusParts, part);
            }
            else if (property.NameEquals("contacts"u8) && property.Value.ValueKind == JsonValueKind.Array)
            {
                WriteContacts(writer, property, users);
            }
            else
            {
                writer.Property(property);
            }
        }

        writer.EndObject();
    }

    private static void WriteItems(RawJsonWriter writer, JsonProperty items, List<int> partOfItem, int part)
    {
        if (!partOfItem.Contains(part))
        {
            return;
        }

        writer.Name(items);
        writer.StartArray();
        var index = 0;
        foreach (var item in items.Value.EnumerateArray())
        {
            if (index < partOfItem.Count && partOfItem[index] == part)
            {
                writer.Value(item);
            }

            index++;
        }

        writer.EndArray();
    }

    /// <summary>Keeps the contacts of the part's users, so one upstream does not see another's users.</summary>
    private static void WriteContacts(RawJsonWriter writer, JsonProperty contacts, HashSet<string> users)
    {
        var kept = contacts.Value.EnumerateArray().Where(c => IsContactOf(c, users)).ToList();
        if (kept.Count == 0)
        {
            return;
        }

        writer.Name(contacts);
        writer.StartArray();
        foreach (var contact in kept)
        {
            writer.Value(contact);
        }

        writer.EndArray();
    }

    private static bool IsContactOf(JsonElement contact, HashSet<string> users)
    {
        if (contact.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in contact.EnumerateObject())
        {
            if ((property.NameEquals("wa_id"u8) || property.NameEquals("user_id"u8))
                && property.Value.ValueKind == JsonValueKind.String
                && IsOneOf(property.Value, users))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOneOf(JsonElement key, HashSet<string> users)
    {
        try
        {
            return users.Contains(key.GetString()!);
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate: valid JSON, but no user key the parser accepted can equal it.
            return false;
        }
    }

    private static bool HasPart(Dictionary<(int Entry, int Change), ChangePlan> plan, int entry, int part)
    {
        foreach (var ((e, _), change) in plan)
        {
            if (e == entry && change.Has(part))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Which part each item of one change goes to.</summary>
    private sealed class ChangePlan
    {
        private readonly List<(int Part, string User)> _users = [];

        public int WholePart { get; private set; } = -1;

        public List<int> MessageParts { get; } = [];

        public List<int> StatusParts { get; } = [];

        public void Add(in WebhookUpdate update, int part)
        {
            switch (update.Kind)
            {
                case UpdateKind.Change:
                    WholePart = part;
                    return;
                case UpdateKind.Message:
                    Place(MessageParts, update.Item, part);
                    break;
                case UpdateKind.Status:
                    Place(StatusParts, update.Item, part);
                    break;
            }

            if (update.UserKey is not null)
            {
                _users.Add((part, update.UserKey));
            }
        }

        public bool Has(int part) => WholePart == part || MessageParts.Contains(part) || StatusParts.Contains(part);

        public HashSet<string> UsersOf(int part) =>
            _users.Where(u => u.Part == part).Select(static u => u.User).ToHashSet(StringComparer.Ordinal);

        private static void Place(List<int> parts, int item, int part)
        {
            while (parts.Count <= item)
            {
                parts.Add(-1);
            }

            parts[item] = part;
        }
    }
}
