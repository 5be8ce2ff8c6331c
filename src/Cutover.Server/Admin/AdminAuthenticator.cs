using System.Net;
using System.Security.Cryptography;
using System.Text;
using Cutover.Server.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Admin;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> against the configured named tokens, comparing
/// SHA-256 digests in constant time. With no token configured, the admin API answers only requests
/// made on loopback (not forwarded by a proxy, see <see cref="ProxyHeaders"/>), as actor <c>local</c>; with
/// <c>Admin:AllowUnauthenticated</c> it answers the others too, as actor <c>unauthenticated</c>.
/// </summary>
internal sealed class AdminAuthenticator
{
    public const string LocalActor = "local";
    public const string UnauthenticatedActor = "unauthenticated";
    private readonly (string Name, byte[] Digest, AdminRole Role)[] _tokens;
    private readonly bool _allowUnauthenticated;

    public AdminAuthenticator(IOptions<CutoverOptions> options)
    {
        _allowUnauthenticated = options.Value.Admin.AllowUnauthenticated;
        _tokens = [.. options.Value.Admin.Tokens.Select(static t => (
            t.Name!,
            SHA256.HashData(Encoding.UTF8.GetBytes(t.Token!)),
            t.Role!.Value))];
    }

    /// <summary>The caller, or the status and sentence to refuse with.</summary>
    public (AdminPrincipal? Principal, int Status, string? Problem) Authenticate(HttpContext context, AdminRole needed)
    {
        if (_tokens.Length == 0)
        {
            // A proxy on the same host connects from loopback too; the forwarding headers it adds say the
            // request came from further away, so such a request is not trusted as local.
            var remote = context.Connection.RemoteIpAddress;
            var proxy = ProxyHeaders.Find(context.Request.Headers);
            if (remote is not null && IPAddress.IsLoopback(remote) && proxy is null)
            {
                return (new AdminPrincipal(LocalActor, AdminRole.Operate), 0, null);
            }

            // Said loudly at start-up and in every status: something in front is trusted to have authenticated the caller.
            if (_allowUnauthenticated)
            {
                return (new AdminPrincipal(UnauthenticatedActor, AdminRole.Operate), 0, null);
            }

            return (null, StatusCodes.Status403Forbidden, proxy is not null
                ? $"no admin token is configured (Cutover:Admin:Tokens), and this request came through a proxy ({proxy} header); configure a token to use the admin API from elsewhere"
                : "no admin token is configured (Cutover:Admin:Tokens), so the admin API answers only on loopback");
        }

        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, StatusCodes.Status401Unauthorized, "a bearer token is required: Authorization: Bearer <token> (--token or CUTOVER_ADMIN_TOKEN)");
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        AdminPrincipal? match = null;
        foreach (var (name, digest, role) in _tokens)
        {
            // Every token is compared, so the time taken does not say which one matched.
            if (CryptographicOperations.FixedTimeEquals(given, digest))
            {
                match = new AdminPrincipal(name, role);
            }
        }

        if (match is null)
        {
            return (null, StatusCodes.Status401Unauthorized, "the bearer token is not one of the configured admin tokens");
        }

        if (match.Role < needed)
        {
            return (null, StatusCodes.Status403Forbidden, $"token '{match.Name}' has role read; changing routing needs an operate token");
        }

        return (match, 0, null);
    }
}
