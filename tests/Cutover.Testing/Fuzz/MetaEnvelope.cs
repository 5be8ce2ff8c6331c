using System.Text.Json;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// Reads a Meta envelope independently of Cutover's parser, as an upstream's ordinary JSON parser would: a repeated
/// property counts once, the last one (what <c>JSON.parse</c>, Python's <c>json</c> and most others keep), or on
/// request the first one (what some others keep; RFC 8259 leaves it open).
/// </summary>
/// <remarks>
/// An update is each item of <c>entry[i].changes[j].value.messages[]</c> and <c>.statuses[]</c>, compared by its raw
/// JSON text; a change with no such item is one update, its whole raw text. So an update forwarded whole or cut
/// out of a split part byte for byte compares equal, and anything Cutover rewrote, dropped or repeated does not.
/// </remarks>
internal static class MetaEnvelope
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 4096 };

    /// <summary>The updates of <paramref name="body"/>; false when it is not UTF-8 JSON at all.</summary>
    public static bool TryReadUpdates(byte[] body, out List<string> updates, out string? envelopeProblem, bool firstWins = false)
    {
        updates = [];
        envelopeProblem = null;
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            envelopeProblem = "the body is not valid UTF-8";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body, Options);
            envelopeProblem = Problem(document.RootElement);
            Collect(document.RootElement, updates, firstWins);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            envelopeProblem = "not JSON: " + ex.Message;
            updates.Clear();
            return false;
        }
    }

    /// <summary>The property <paramref name="name"/> of an object, the last one (or the first) when it is repeated.</summary>
    public static bool TryGetProperty(JsonElement obj, string name, out JsonElement value, bool firstWins = false)
    {
        value = default;
        var found = false;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                value = property.Value;
                found = true;
                if (firstWins)
                {
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>Null when <paramref name="root"/> is an object with an <c>entry</c> array of objects with <c>changes</c> arrays of objects.</summary>
    private static string? Problem(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"the body is a JSON {root.ValueKind}, not an object";
        }

        if (!TryGetProperty(root, "entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return "no entry array";
        }

        var e = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                return $"entry[{e}] is a JSON {entry.ValueKind}, not an object";
            }

            if (!TryGetProperty(entry, "changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
            {
                return $"entry[{e}] has no changes array";
            }

            var c = 0;
            foreach (var change in changes.EnumerateArray())
            {
                if (change.ValueKind != JsonValueKind.Object)
                {
                    return $"entry[{e}].changes[{c}] is a JSON {change.ValueKind}, not an object";
                }

                c++;
            }

            e++;
        }

        return null;
    }

    private static void Collect(JsonElement root, List<string> updates, bool firstWins)
    {
        if (root.ValueKind != JsonValueKind.Object || !TryGetProperty(root, "entry", out var entries, firstWins) || entries.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !TryGetProperty(entry, "changes", out var changes, firstWins) || changes.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var change in changes.EnumerateArray())
            {
                var before = updates.Count;
                if (change.ValueKind == JsonValueKind.Object && TryGetProperty(change, "value", out var value, firstWins) && value.ValueKind == JsonValueKind.Object)
                {
                    AddItems(value, "messages", "m:", updates, firstWins);
                    AddItems(value, "statuses", "s:", updates, firstWins);
                }

                if (updates.Count == before)
                {
                    updates.Add("c:" + change.GetRawText());
                }
            }
        }
    }

    private static void AddItems(JsonElement value, string name, string prefix, List<string> updates, bool firstWins)
    {
        if (TryGetProperty(value, name, out var items, firstWins) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                updates.Add(prefix + item.GetRawText());
            }
        }
    }
}
