using System.Security.Cryptography;
using System.Text;

namespace Cutover.Core.Privacy;

/// <summary>
/// Turns a user key (a phone number) into what stored logs keep. Phone numbers are few enough to
/// brute-force a plain hash, so the hash is keyed (HMAC-SHA256) with a secret of the deployment, and
/// shortened to 128 bits, written as 32 hex characters.
/// </summary>
public sealed class UserKeyHasher
{
    private readonly byte[]? _key;

    private UserKeyHasher(byte[]? key) => _key = key;

    /// <summary>Keeps user keys as they are (<c>Privacy:UserKeys = raw</c>).</summary>
    public static UserKeyHasher Raw { get; } = new(null);

    public bool IsHashing => _key is not null;

    public static UserKeyHasher Keyed(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("the hashing key needs at least 16 bytes", nameof(key));
        }

        return new UserKeyHasher(key.ToArray());
    }

    public string? Protect(string? userKey)
    {
        if (userKey is null || _key is null)
        {
            return userKey;
        }

        var length = Encoding.UTF8.GetMaxByteCount(userKey.Length);
        Span<byte> input = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(userKey, input);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input[..written], mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
