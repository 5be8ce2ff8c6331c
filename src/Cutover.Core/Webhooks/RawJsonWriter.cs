using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Cutover.Core.Webhooks;

/// <summary>
/// Writes JSON by copying the original bytes of names and values, where <see cref="Utf8JsonWriter"/> would
/// unescape and escape them again.
/// </summary>
/// <remarks>
/// A split part must carry Meta's bytes as they came: the upstream may compare them, and a re-encoding
/// refuses what JSON allows but UTF-16 does not (an escaped lone surrogate such as <c>"\uD800"</c> in a
/// profile name), which would turn a deliverable webhook into an error. Only containers are written anew.
/// </remarks>
internal sealed class RawJsonWriter(IBufferWriter<byte> output)
{
    // One bit per open container: set once it holds an item, so the next one needs a comma.
    private ulong _hasItems;
    private int _depth;
    private bool _afterName;

    public void StartObject() => Open((byte)'{');

    public void EndObject() => Close((byte)'}');

    public void StartArray() => Open((byte)'[');

    public void EndArray() => Close((byte)']');

    /// <summary>A name as it appears in the source, without its quotes (still escaped).</summary>
    public void Name(ReadOnlySpan<byte> rawName)
    {
        Separate();
        Write((byte)'"');
        Write(rawName);
        Write("\":"u8);
        _afterName = true;
    }

    public void Name(JsonProperty property) => Name(JsonMarshal.GetRawUtf8PropertyName(property));

    /// <summary>A whole value (scalar, object or array) copied from the source.</summary>
    public void Value(JsonElement value)
    {
        Separate();
        Write(JsonMarshal.GetRawUtf8Value(value));
    }

    public void Property(JsonProperty property)
    {
        Name(property);
        Value(property.Value);
    }

    private void Open(byte bracket)
    {
        if (_depth == 64)
        {
            throw new InvalidOperationException("nesting deeper than 64 containers");
        }

        Separate();
        Write(bracket);
        _hasItems &= ~(1UL << _depth);
        _depth++;
    }

    private void Close(byte bracket)
    {
        _depth--;
        Write(bracket);
    }

    /// <summary>Writes the comma before an item of the open container, unless the item is the value of a name.</summary>
    private void Separate()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }

        if (_depth == 0)
        {
            return;
        }

        var bit = 1UL << (_depth - 1);
        if ((_hasItems & bit) != 0)
        {
            Write((byte)',');
        }

        _hasItems |= bit;
    }

    private void Write(byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private void Write(ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
