using System.Security.Cryptography;
using System.Text;

namespace Cutover.Core.Privacy;

/// <summary>
/// Turns a user key (a phone number) into what stored logs keep. Phone numbers are few enough to
/// brute-force a plain hash, so the hash is keyed (HMAC-SHA256) with a secret of the deployment, and
/// shortened to 128 bits, written as 32 hex characters. Message and status ids get the same treatment
/// (<see cref="ProtectMessageId"/>): Meta's ids are base64 that carries the user's phone number.
/// </summary>
/// <remarks>
/// A user sends many messages, and an HMAC costs ~0.5 µs, so recent keys are remembered in a bounded
/// cache of two generations (as <see cref="Classification.ConversationMemory"/>): a repeated user costs a
/// lookup. At most <c>cacheCapacity</c> keys are held, in memory only, in the process that already holds
/// them raw (the conversation memory is keyed by them).
/// </remarks>
public sealed class UserKeyHasher
{
    /// <summary>Keys remembered by default: ~2.5 MB at most.</summary>
    public const int DefaultCacheCapacity = 16_384;

    /// <summary>
    /// What the deployment's key is HMAC'ed with to make the message id key: a second key, so that a message id's
    /// hash never equals a user key's hash, whatever the two strings are (a prefix on the id would collide with a
    /// user key that starts with that prefix).
    /// </summary>
    public const string MessageIdKeyLabel = "cutover:message-id";

    private readonly byte[]? _key;
    private readonly int _generationSize;

    // One lock for the cache and both HMACs: the decision-log writer is nearly the only caller, so it is uncontended.
    private readonly Lock _lock = new();
    private readonly IncrementalHash? _hmac;
    private readonly IncrementalHash? _messageIdHmac;
    private Dictionary<string, string> _current;
    private Dictionary<string, string> _previous;

    private UserKeyHasher(byte[]? key, int cacheCapacity)
    {
        _key = key;
        _generationSize = cacheCapacity / 2;
        _current = new Dictionary<string, string>(_generationSize, StringComparer.Ordinal);
        _previous = new Dictionary<string, string>(StringComparer.Ordinal);

        // Reused: HMACSHA256.HashData sets the key up again on every call, ~2.7 × the cost of the hash itself here.
        _hmac = key is null ? null : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        _messageIdHmac = key is null
            ? null
            : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(MessageIdKeyLabel)));
    }

    /// <summary>Keeps user keys as they are (<c>Privacy:UserKeys = raw</c>).</summary>
    public static UserKeyHasher Raw { get; } = new(null, 0);

    public bool IsHashing => _key is not null;

    /// <summary>How many keys the cache holds now (both generations; a key may be in both).</summary>
    public int CachedCount
    {
        get
        {
            lock (_lock)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    /// <param name="key">The deployment's secret, at least 16 bytes.</param>
    /// <param name="cacheCapacity">Recent keys remembered with their hash; below 2 remembers none.</param>
    public static UserKeyHasher Keyed(ReadOnlySpan<byte> key, int cacheCapacity = DefaultCacheCapacity)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("the hashing key needs at least 16 bytes", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(cacheCapacity);
        return new UserKeyHasher(key.ToArray(), cacheCapacity);
    }

    public string? Protect(string? userKey)
    {
        if (userKey is null || _hmac is null)
        {
            return userKey;
        }

        // A person key learned from another instance is already in its stored form (the parser digests any webhook
        // value that starts so, so none can pose as one).
        if (userKey.StartsWith(Webhooks.WebhookIds.ProtectedPrefix, StringComparison.Ordinal))
        {
            return userKey[Webhooks.WebhookIds.ProtectedPrefix.Length..];
        }

        lock (_lock)
        {
            if (_generationSize == 0)
            {
                return Hash(_hmac, userKey);
            }

            if (_current.TryGetValue(userKey, out var hashed))
            {
                return hashed;
            }

            // Copied forward from the previous generation, or new: either way the current one gains a key.
            if (!_previous.TryGetValue(userKey, out hashed))
            {
                hashed = Hash(_hmac, userKey);
            }

            _current.Add(userKey, hashed);
            if (_current.Count >= _generationSize)
            {
                // Two generations instead of an LRU list, as ConversationMemory: recent users survive a rotation.
                (_previous, _current) = (_current, _previous);
                _current.Clear();
            }

            return hashed;
        }
    }

    /// <summary>
    /// A message or status id as stored logs keep it: the first 128 bits of HMAC-SHA256 under the message id key
    /// (HMAC-SHA256(the deployment's key, <see cref="MessageIdKeyLabel"/>)), 32 hex characters; the same id always
    /// gives the same value, so duplicates stay visible. Not cached: nearly every id is new.
    /// </summary>
    public string? ProtectMessageId(string? messageId)
    {
        if (messageId is null || _messageIdHmac is null)
        {
            return messageId;
        }

        lock (_lock)
        {
            return Hash(_messageIdHmac, messageId);
        }
    }

    private static string Hash(IncrementalHash hmac, string value)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> input = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(value, input);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        hmac.AppendData(input[..written]);
        hmac.GetHashAndReset(mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
