using System.Text;
using System.Text.Json;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// A JSON document as a tree that keeps what a fuzzer needs and <c>System.Text.Json.Nodes</c> drops: repeated
/// property names, the raw text of every scalar (<c>1e999</c> stays <c>1e999</c>, escapes stay as written) and the
/// raw text of every property name (so a name can be written <c>"\u0066rom"</c>). Written back compact.
/// </summary>
internal abstract class JsonTree
{
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = 512 };

    private static readonly System.Buffers.SearchValues<char> NeedsEscape = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(static c => (char)c), '"', '\\', .. Enumerable.Range(0xD800, 0x800).Select(static c => (char)c)]);

    public abstract JsonTree Clone();

    public abstract void WriteTo(StringBuilder text);

    public static JsonTree Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json, Lenient);
        return From(document.RootElement);
    }

    /// <summary>A scalar from raw JSON text: <c>Raw("1e999")</c>, <c>Raw("null")</c>, <c>Raw(Quote(s))</c>.</summary>
    public static Scalar Raw(string json) => new(json);

    public static Scalar String(string value, bool escapeAll = false) => new(Quote(value, escapeAll));

    public static string KindOf(JsonTree node) => node switch
    {
        Obj => "object",
        Arr => "array",
        Scalar { IsString: true } => "string",
        Scalar { IsNumber: true } => "number",
        Scalar { RawText: "null" } => "null",
        Scalar { RawText: ['[', ..] } => "array",
        Scalar { RawText: ['{', ..] } => "object",
        _ => "bool",
    };

    public string ToJson()
    {
        var text = new StringBuilder();
        WriteTo(text);
        return text.ToString();
    }

    /// <summary>
    /// Every slot of the tree (a property's value or an array's item), depth first, with its path
    /// (<c>entry[0].changes[0].value.messages[1].id</c>).
    /// </summary>
    public List<Slot> Slots()
    {
        var slots = new List<Slot>();
        Collect(this, string.Empty, slots);
        return slots;
    }

    /// <summary>
    /// A JSON string literal for <paramref name="value"/>: quotes, backslashes and control characters escaped,
    /// lone surrogates as <c>\uXXXX</c> (they have no UTF-8 form), everything else raw unless
    /// <paramref name="escapeAll"/> asks for every character as <c>\uXXXX</c>.
    /// </summary>
    public static string Quote(string value, bool escapeAll = false)
    {
        var text = new StringBuilder(value.Length + 2);
        text.Append('"');
        var start = 0;
        if (!escapeAll)
        {
            // Huge values are mostly plain: copy the run before the first character that needs a look.
            var plain = value.AsSpan().IndexOfAny(NeedsEscape);
            start = plain < 0 ? value.Length : plain;
            text.Append(value.AsSpan(0, start));
        }

        for (var i = start; i < value.Length; i++)
        {
            var c = value[i];
            var pairedSurrogate = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                || char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]);
            if (escapeAll || c < ' ' || (char.IsSurrogate(c) && !pairedSurrogate))
            {
                text.Append(c switch
                {
                    '\n' when !escapeAll => "\\n",
                    '\r' when !escapeAll => "\\r",
                    '\t' when !escapeAll => "\\t",
                    _ => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
            else if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else
            {
                text.Append(c);
            }
        }

        return text.Append('"').ToString();
    }

    private static JsonTree From(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new Obj();
                foreach (var property in element.EnumerateObject())
                {
                    obj.Properties.Add(new Property(Quote(property.Name), property.Name, From(property.Value)));
                }

                return obj;
            case JsonValueKind.Array:
                var array = new Arr();
                foreach (var item in element.EnumerateArray())
                {
                    array.Items.Add(From(item));
                }

                return array;
            default:
                return new Scalar(element.GetRawText());
        }
    }

    private static void Collect(JsonTree node, string path, List<Slot> slots)
    {
        switch (node)
        {
            case Obj obj:
                for (var i = 0; i < obj.Properties.Count; i++)
                {
                    var property = obj.Properties[i];
                    var at = path.Length == 0 ? property.Name : path + "." + property.Name;
                    slots.Add(new Slot(at, obj, i, property.Name, property.Value));
                    Collect(property.Value, at, slots);
                }

                break;
            case Arr array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    var at = $"{path}[{i}]";
                    slots.Add(new Slot(at, array, i, null, array.Items[i]));
                    Collect(array.Items[i], at, slots);
                }

                break;
        }
    }

    internal sealed class Obj : JsonTree
    {
        public List<Property> Properties { get; } = [];

        public override JsonTree Clone()
        {
            var copy = new Obj();
            foreach (var p in Properties)
            {
                copy.Properties.Add(new Property(p.RawName, p.Name, p.Value.Clone()));
            }

            return copy;
        }

        public override void WriteTo(StringBuilder text)
        {
            text.Append('{');
            for (var i = 0; i < Properties.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(Properties[i].RawName).Append(':');
                Properties[i].Value.WriteTo(text);
            }

            text.Append('}');
        }
    }

    internal sealed class Arr : JsonTree
    {
        public List<JsonTree> Items { get; } = [];

        public override JsonTree Clone()
        {
            var copy = new Arr();
            foreach (var item in Items)
            {
                copy.Items.Add(item.Clone());
            }

            return copy;
        }

        public override void WriteTo(StringBuilder text)
        {
            text.Append('[');
            for (var i = 0; i < Items.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                Items[i].WriteTo(text);
            }

            text.Append(']');
        }
    }

    internal sealed class Scalar(string raw) : JsonTree
    {
        public string RawText { get; } = raw;

        public bool IsString => RawText.StartsWith('"');

        public bool IsNumber => RawText.Length > 0 && (char.IsAsciiDigit(RawText[0]) || RawText[0] == '-');

        /// <summary>The string's value when it is a plain string without escapes (what the corpus and builder write).</summary>
        public string? PlainString => IsString && !RawText.Contains('\\') ? RawText[1..^1] : null;

        public override JsonTree Clone() => this;

        public override void WriteTo(StringBuilder text) => text.Append(RawText);
    }

    internal sealed class Property(string rawName, string name, JsonTree value)
    {
        /// <summary>The name as written, quotes and escapes included.</summary>
        public string RawName { get; set; } = rawName;

        public string Name { get; } = name;

        public JsonTree Value { get; set; } = value;
    }

    /// <summary>A place in the tree: a property of <see cref="Container"/> (an object) or one of its items (an array).</summary>
    internal readonly record struct Slot(string Path, JsonTree Container, int Index, string? Name, JsonTree Node)
    {
        public Property? Property => Container is Obj obj ? obj.Properties[Index] : null;

        public string Kind => KindOf(Node);

        public void Set(JsonTree value)
        {
            if (Container is Obj obj)
            {
                obj.Properties[Index].Value = value;
            }
            else
            {
                ((Arr)Container).Items[Index] = value;
            }
        }

        public void Remove()
        {
            if (Container is Obj obj)
            {
                obj.Properties.RemoveAt(Index);
            }
            else
            {
                ((Arr)Container).Items.RemoveAt(Index);
            }
        }
    }
}
