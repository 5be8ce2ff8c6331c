using Cutover.Core.Privacy;

namespace Cutover.Server.Routing;

/// <summary>
/// The deployment's <see cref="UserKeyHasher"/>, set once at start-up (its key may come from the store),
/// shared by the decision log, the audit trail and log queries.
/// </summary>
internal sealed class UserKeyProtection
{
    private volatile UserKeyHasher? _hasher;

    public UserKeyHasher Hasher => _hasher ?? throw new InvalidOperationException("user key protection is not initialized yet");

    public void Initialize(UserKeyHasher hasher) => _hasher = hasher;

    public string Protect(string userKey) => Hasher.Protect(userKey)!;
}
