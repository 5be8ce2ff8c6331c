using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Route = Cutover.Core.Routing.Route;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary><c>/admin/overrides</c>: the users pinned to a route (or a domain), pinned and released one by one.</summary>
internal sealed class OverrideEndpoints(RoutingService routing, RoutingChanges changer)
{
    public static void Map(RouteGroupBuilder group)
    {
        var (read, operate) = AdminPolicies.Split(group);
        read.MapGet("/overrides", static (OverrideEndpoints api) => api.Overrides());
        read.MapGet("/overrides/{user}", static (string user, OverrideEndpoints api) => api.Override(user));
        operate.MapPut("/overrides/{user}", static (HttpContext c, string user, OverrideEndpoints api) => api.SetOverrideAsync(c, AdminPrincipal.Of(c), user));
        operate.MapDelete("/overrides/{user}", static (HttpContext c, string user, OverrideEndpoints api) => api.ClearOverrideAsync(c, AdminPrincipal.Of(c), user));
    }

    public IResult Overrides() => Json(ContractMapper.Routing(routing.Current.State).Overrides, ServerJson.Default.ListOverrideView);

    public IResult Override(string user)
    {
        var view = ContractMapper.Routing(routing.Current.State).Overrides.FirstOrDefault(o => o.User == user);
        return view is null
            ? Refuse(AdminError.NotFound, "this user has no override")
            : Json(view, ServerJson.Default.OverrideView);
    }

    public async Task<IResult> SetOverrideAsync(HttpContext context, AdminPrincipal principal, string user)
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.OverrideRequest);
        if (request is null)
        {
            return problem!;
        }

        Route? route = null;
        if (request.Route is not null)
        {
            if (!RouteNames.TryParse(request.Route, out var parsed))
            {
                return Refuse(AdminError.InvalidOverride, $"'route' must be unified or legacy, not '{request.Route}'");
            }

            route = parsed;
        }

        return await changer.ChangeAsync(context, principal, [new RoutingChange.SetOverride(user, route, request.Domain)], request.Reason);
    }

    public async Task<IResult> ClearOverrideAsync(HttpContext context, AdminPrincipal principal, string user)
    {
        string? reason = context.Request.Query["reason"];
        if (reason is null && context.Request.ContentLength > 0)
        {
            var (request, problem) = await ReadAsync(context, ServerJson.Default.ReasonRequest);
            if (request is null)
            {
                return problem!;
            }

            reason = request.Reason;
        }

        return await changer.ChangeAsync(context, principal, [new RoutingChange.ClearOverride(user)], reason);
    }
}
