using System.Security.Cryptography;
using System.Text;

namespace Cutover.Core.Webhooks;

/// <summary>
/// Meta's <c>X-Hub-Signature-256</c>: <c>sha256=</c> + lowercase hex HMAC-SHA256 of the raw body,
/// keyed with the app secret. Checked in constant time.
/// </summary>
/// <remarks>
/// Each thread keeps one keyed <see cref="IncrementalHash"/>: the one-shot <see cref="HMACSHA256.HashData(byte[], byte[])"/>
/// sets the key up again on every call, which cost ~0.85 µs of the ~1.35 µs an HMAC of a short input took here.
/// </remarks>
public sealed class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";
    private readonly ThreadLocal<IncrementalHash> _hmac;

    public WebhookSignature(string appSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(appSecret);
        var secret = Encoding.UTF8.GetBytes(appSecret);
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret));
    }

    /// <summary>The header value for <paramref name="body"/>.</summary>
    public string Sign(ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> header)
    {
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = header[Prefix.Length..].Trim();
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2
            || Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private void Compute(ReadOnlySpan<byte> body, Span<byte> mac)
    {
        var hmac = _hmac.Value!;
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}
