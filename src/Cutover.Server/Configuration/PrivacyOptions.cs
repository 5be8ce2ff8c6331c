namespace Cutover.Server.Configuration;

/// <summary><c>Privacy:*</c>.</summary>
public sealed class PrivacyOptions
{
    /// <summary><c>hashed</c> (default: keyed HMAC of the phone number) or <c>raw</c> in stored logs and the audit trail.</summary>
    public string UserKeys { get; set; } = CutoverDefaults.PrivacyUserKeys;

    /// <summary>
    /// The key of that HMAC (at least 16 characters; may be <c>env:NAME</c>). When unset, a random key is
    /// made once and kept in the store, so hashes stay stable across restarts.
    /// </summary>
    public string? HashKey { get; set; }
}
