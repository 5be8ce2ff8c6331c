using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Admin;

/// <summary>Who is calling the admin API: the token's name (the actor in the audit trail) and its role.</summary>
internal sealed record AdminPrincipal(string Name, AdminRole Role)
{
    /// <summary>The caller an admin policy accepted for this request (<see cref="AdminRoleHandler"/>).</summary>
    public static AdminPrincipal Of(HttpContext context) =>
        context.Features.Get<AdminPrincipal>() ?? throw new InvalidOperationException("no admin caller: the endpoint has no admin policy");
}
