namespace Cutover.Core.Webhooks;

/// <summary>
/// The result of parsing one webhook POST. Instances are reusable: <see cref="WebhookParser"/>
/// resets and refills one, so a pooled instance parses without allocating its lists again.
/// </summary>
public sealed class ParsedWebhook
{
    private const int InitialUpdates = 4;
    private const int InitialText = 256;
    private const int MaxRetainedUpdates = 64;
    private const int MaxRetainedText = 16 * 1024;

    private WebhookUpdate[] _updates = new WebhookUpdate[InitialUpdates];
    private char[] _text = new char[InitialText];

    /// <summary>How many updates were found.</summary>
    public int Count { get; private set; }

    /// <summary>The updates in document order.</summary>
    public ReadOnlySpan<WebhookUpdate> Updates => _updates.AsSpan(0, Count);

    /// <summary>All message text, unescaped; updates point into it.</summary>
    public ReadOnlySpan<char> Text => _text.AsSpan(0, TextLength);

    internal int TextLength { get; private set; }

    /// <summary>
    /// The last <c>phone_number_id</c> this instance parsed, kept across <see cref="Reset"/>: a pooled instance
    /// reuses its string when the next body names the same business number (it is not user data).
    /// </summary>
    internal string? RecentPhoneNumberId { get; set; }

    /// <summary>The top-level <c>object</c> value, normally <c>whatsapp_business_account</c>.</summary>
    public string? ObjectType { get; internal set; }

    public ref readonly WebhookUpdate this[int index] => ref _updates[index];

    /// <summary>The text of update <paramref name="index"/>.</summary>
    public ReadOnlySpan<char> TextOf(int index)
    {
        ref readonly var update = ref _updates[index];
        return _text.AsSpan(update.TextStart, update.TextLength);
    }

    public void Reset()
    {
        // Drop references so a pooled instance does not keep strings of an old request alive.
        Array.Clear(_updates, 0, Count);
        Count = 0;
        TextLength = 0;
        ObjectType = null;

        // A pooled instance keeps its buffers, but not those a rare huge POST (up to 1000 updates, 3 MB) grew.
        if (_updates.Length > MaxRetainedUpdates)
        {
            _updates = new WebhookUpdate[InitialUpdates];
        }

        if (_text.Length > MaxRetainedText)
        {
            _text = new char[InitialText];
        }
    }

    internal ref WebhookUpdate Add()
    {
        if (Count == _updates.Length)
        {
            Array.Resize(ref _updates, _updates.Length * 2);
        }

        ref var slot = ref _updates[Count++];
        slot = default;
        return ref slot;
    }

    internal ref WebhookUpdate At(int index) => ref _updates[index];

    internal void RemoveFrom(int index)
    {
        Array.Clear(_updates, index, Count - index);
        Count = index;
    }

    /// <summary>Reserves room for <paramref name="length"/> more characters of text and returns it.</summary>
    internal Span<char> ReserveText(int length)
    {
        if (TextLength + length > _text.Length)
        {
            Array.Resize(ref _text, Math.Max(_text.Length * 2, TextLength + length));
        }

        return _text.AsSpan(TextLength, length);
    }

    internal void CommitText(int length) => TextLength += length;
}
