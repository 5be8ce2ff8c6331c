using System.Security.Cryptography;
using System.Text;

namespace Cutover.Core.Webhooks;

/// <summary>
/// Meta's <c>X-Hub-Signature-256</c>: <c>sha256=</c> + lowercase hex HMAC-SHA256 of the raw body,
/// keyed with the app secret. Checked in constant time.
/// </summary>
public sealed class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";
    private readonly byte[] _secret;

    public WebhookSignature(string appSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(appSecret);
        _secret = Encoding.UTF8.GetBytes(appSecret);
    }

    /// <summary>The header value for <paramref name="body"/>.</summary>
    public string Sign(ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, body, mac);
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
        HMACSHA256.HashData(_secret, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
