using System.Security.Cryptography;
using System.Text;

namespace Cutover.Core.Webhooks;

/// <summary>
/// The one rule for identifiers taken from a webhook (message and status ids, user keys, status values): a plain token
/// is kept as it is, anything else is replaced by a digest of it.
/// </summary>
/// <remarks>
/// These values travel far from the body: into <c>X-Idempotency-Key</c>, conversation memory, the decision log, metrics
/// and the CLI's tables. Meta's are short printable ASCII (<c>wamid.HBgL…=</c>, <c>16505551234</c>,
/// <c>US.13491208655302741918</c>), so one that is not (a CR/LF that would end a header, <c>wamid.été</c> that an HTTP
/// client refuses, 1 MB that an upstream answers 431 to and that memory would hold for half an hour) cannot be Meta's.
/// A digest instead of a refusal: the same input always gives the same digest, so a user still keeps one bucket and a
/// retried message one key, and nothing is lost if Meta ever lengthens its ids.
/// </remarks>
public static class WebhookIds
{
    /// <summary>Longer identifiers are digested: Meta's longest today (a wamid with a status) are under 100 characters.</summary>
    public const int MaxLength = 128;

    /// <summary>What every digest starts with. An input that starts with it is digested too, so no input can pose as one.</summary>
    public const string DigestPrefix = "sha256:";

    /// <summary>
    /// What a person key learned from another instance starts with: the stored (protected) form of an identifier this
    /// instance never saw raw. An input that starts with it is digested, so no webhook can pose as one.
    /// </summary>
    public const string ProtectedPrefix = "hmac:";

    /// <summary>True when <paramref name="value"/> is kept as it is: 1 to <see cref="MaxLength"/> printable ASCII characters, not a digest's shape.</summary>
    public static bool IsPlain(ReadOnlySpan<char> value) =>
        (uint)(value.Length - 1) < MaxLength
        && !value.ContainsAnyExceptInRange('!', '~') // printable ASCII without space: safe in a header, a label, a table
        && (value[0] != DigestPrefix[0] || !value.StartsWith(DigestPrefix, StringComparison.Ordinal))
        && (value[0] != ProtectedPrefix[0] || !value.StartsWith(ProtectedPrefix, StringComparison.Ordinal));

    /// <summary><paramref name="value"/> when it is plain, else <c>sha256:</c> and 32 hex digits of its UTF-8 SHA-256 (null stays null).</summary>
    public static string? Plain(string? value) => value is null || IsPlain(value) ? value : Digest(value);

    private static string Digest(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return DigestPrefix + Convert.ToHexStringLower(hash[..16]);
    }
}
