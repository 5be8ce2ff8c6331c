using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary><c>Admin:*</c>: who may read and change routing through <c>/admin</c>.</summary>
public sealed class AdminOptions
{
    /// <summary>Named bearer tokens. With none configured, the admin API answers only on loopback. Names and tokens are unique (the rules).</summary>
    [Secret]
    [ValidateEnumeratedItems]
    public List<AdminTokenOptions> Tokens { get; set; } = [];

    /// <summary>
    /// With no tokens: answer admin requests from anywhere, not only from loopback, as actor <c>unauthenticated</c>.
    /// Only for an admin API that something in front (a proxy, a VPN) authenticates. Needed to start without tokens on
    /// a <c>Listen</c> address off loopback; ignored when tokens are configured. Default off.
    /// </summary>
    public bool AllowUnauthenticated { get; set; }
}
