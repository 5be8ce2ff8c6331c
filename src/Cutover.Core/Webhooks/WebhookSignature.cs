using System.Buffers;
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
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
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

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/>, written exactly as Meta writes it.</summary>
    public bool Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> header)
    {
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!TryReadDigest(header, given))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>
    /// True when <paramref name="header"/> has the one form Meta sends: <c>sha256=</c> and 64 lower-case hex digits, nothing
    /// around them. Anything else is refused rather than read generously: an unsplit body goes on with the header as it
    /// came, and an upstream that checks signatures strictly would refuse what Cutover let through.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> header) => TryReadDigest(header, stackalloc byte[HMACSHA256.HashSizeInBytes]);

    private static bool TryReadDigest(ReadOnlySpan<char> header, Span<byte> digest)
    {
        if (header.Length != Prefix.Length + (HMACSHA256.HashSizeInBytes * 2) || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var hex = header[Prefix.Length..];
        return !hex.ContainsAnyExcept(LowerHex)
            && Convert.FromHexString(hex, digest, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == digest.Length;
    }

    private void Compute(ReadOnlySpan<byte> body, Span<byte> mac)
    {
        var hmac = _hmac.Value!;
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}
