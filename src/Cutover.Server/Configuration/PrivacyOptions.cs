namespace Cutover.Server.Configuration;

/// <summary><c>Privacy:*</c>.</summary>
public sealed class PrivacyOptions
{
    /// <summary>
    /// <c>hashed</c> (default: keyed HMAC of the phone number, and of the message id, which carries it) or <c>raw</c> in
    /// stored logs and the audit trail.
    /// </summary>
    public UserKeysMode UserKeys { get; set; } = CutoverDefaults.PrivacyUserKeys;

    /// <summary>
    /// The key of that HMAC (at least 16 characters; may be <c>env:NAME</c>). When unset, a SQLite store gets a random
    /// key made once into an owner-only file beside the database (never in it), so hashes stay stable across restarts;
    /// PostgreSQL refuses to start without it (see <c>Hosting.HashKeySetup</c>).
    /// </summary>
    [Secret]
    [ConfigMinLength(16)]
    public string? HashKey { get; set; }
}
