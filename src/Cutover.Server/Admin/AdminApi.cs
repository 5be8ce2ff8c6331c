using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cutover.Server.Admin;

/// <summary>
/// The <c>/admin</c> endpoints: read the routing state and history, change it (operate tokens, a reason
/// always required), explain a payload. Every answer is JSON; every refusal names the problem. Each feature maps its
/// own group with the services it uses; the role each endpoint needs is an authorization policy
/// (<see cref="AdminPolicies"/>) on its group, and a store that does not answer is a 503 for all of them.
/// </summary>
internal static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddAdminAuthorization();
        services.AddSingleton<AdminStatus>();
        services.AddSingleton<RoutingChanges>();
        services.AddSingleton<StatusEndpoints>();
        services.AddSingleton<RoutingEndpoints>();
        services.AddSingleton<OverrideEndpoints>();
        services.AddSingleton<StatsEndpoints>();
        services.AddSingleton<RolloutEndpoints>();
        services.AddSingleton<SimulateEndpoints>();
        services.AddSingleton<UserEndpoints>();
        services.AddSingleton<DeadLetterEndpoints>();
        services.AddSingleton<ChangeWatch>();
        services.AddSingleton<EventEndpoints>();
        services.AddSingleton<DecisionEndpoints>();
        return services;
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter<StoreUnavailableFilter>();
        StatusEndpoints.Map(admin.MapGroup(string.Empty));
        RoutingEndpoints.Map(admin.MapGroup(string.Empty));
        OverrideEndpoints.Map(admin.MapGroup(string.Empty));
        StatsEndpoints.Map(admin.MapGroup(string.Empty));
        RolloutEndpoints.Map(admin.MapGroup(string.Empty));
        SimulateEndpoints.Map(admin.MapGroup(string.Empty));
        UserEndpoints.Map(admin.MapGroup(string.Empty));
        DeadLetterEndpoints.Map(admin.MapGroup(string.Empty));
        EventEndpoints.Map(admin.MapGroup(string.Empty));
        DecisionEndpoints.Map(admin.MapGroup(string.Empty));
    }
}
