using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Admin;

/// <summary>
/// Meets an <see cref="AdminRoleRequirement"/> when <see cref="AdminAuthenticator"/> accepts the caller for its role;
/// the caller is then the request's <see cref="AdminPrincipal"/> (the actor the audit trail names).
/// </summary>
internal sealed class AdminRoleHandler(AdminAuthenticator authenticator) : AuthorizationHandler<AdminRoleRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRoleRequirement requirement, HttpContext resource)
    {
        var (principal, status, problem) = authenticator.Authenticate(resource, requirement.Role);
        if (principal is null)
        {
            // Also on the request: a caller that is not authenticated is "challenged", and ASP.NET Core passes no
            // failure reasons on with a challenge.
            var refusal = new AdminRefusal(this, status, problem!);
            resource.Features.Set(refusal);
            context.Fail(refusal);
        }
        else
        {
            resource.Features.Set(principal);
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
