using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cutover.Server.Admin;

/// <summary>
/// The admin API's authorization: one policy per role, applied to the endpoint groups. <see cref="AdminRoleHandler"/>
/// checks the caller (<see cref="AdminAuthenticator"/>) and <see cref="AdminRefusalHandler"/> writes the refusal.
/// </summary>
/// <remarks>
/// No authentication scheme is registered on purpose: a single scheme becomes every request's default, and the
/// authentication middleware would then run for every webhook (a DI scope and a handler each). The caller is checked
/// only for the endpoints that carry one of these policies.
/// </remarks>
internal static class AdminPolicies
{
    /// <summary>Reading: a read or an operate token.</summary>
    public const string Read = "admin:read";

    /// <summary>Changing routing or the rollout: an operate token.</summary>
    public const string Operate = "admin:operate";

    public static IServiceCollection AddAdminAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization(static o =>
        {
            o.AddPolicy(Read, static p => p.AddRequirements(new AdminRoleRequirement(AdminRole.Read)));
            o.AddPolicy(Operate, static p => p.AddRequirements(new AdminRoleRequirement(AdminRole.Operate)));
        });
        services.AddSingleton<IAuthorizationHandler, AdminRoleHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AdminRefusalHandler>();
        return services;
    }

    /// <summary>A feature's endpoints that read, and those that change: two groups under <paramref name="feature"/>.</summary>
    public static (RouteGroupBuilder Read, RouteGroupBuilder Operate) Split(RouteGroupBuilder feature) =>
        (feature.MapGroup(string.Empty).RequireAuthorization(Read), feature.MapGroup(string.Empty).RequireAuthorization(Operate));
}
