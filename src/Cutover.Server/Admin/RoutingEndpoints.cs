using System.Text.Json;
using Cutover.Core.Errors;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary><c>/admin/routing</c>, <c>/admin/enable</c> and <c>/admin/disable</c>: the percents, the routable domains, the kill switch.</summary>
internal sealed class RoutingEndpoints(RoutingService routing, RoutingChanges changer, RolloutService rollouts)
{
    public static void Map(RouteGroupBuilder group)
    {
        var (read, operate) = AdminPolicies.Split(group);
        read.MapGet("/routing", static (RoutingEndpoints api) => api.Routing());
        operate.MapPut("/routing", static (HttpContext c, RoutingEndpoints api) => api.SetRoutingAsync(c, AdminPrincipal.Of(c)));
        operate.MapPost("/enable", static (HttpContext c, RoutingEndpoints api) => api.SetEnabledAsync(c, AdminPrincipal.Of(c), true));
        operate.MapPost("/disable", static (HttpContext c, RoutingEndpoints api) => api.SetEnabledAsync(c, AdminPrincipal.Of(c), false));
    }

    public IResult Routing() => Json(ContractMapper.Routing(routing.Current.State), ServerJson.Default.RoutingResponse);

    public async Task<IResult> SetRoutingAsync(HttpContext context, AdminPrincipal principal)
    {
        var (request, problem) = await ReadAsync(context, ServerJson.Default.RoutingRequest);
        if (request is null)
        {
            return problem!;
        }

        var changes = new List<RoutingChange>();
        if (request.Routable is { } routable)
        {
            if (request.Domain is null)
            {
                return Refuse(AdminError.InvalidRequest, "'routable' needs a 'domain'");
            }

            changes.Add(new RoutingChange.SetRoutable(request.Domain, routable));
        }

        switch (request.Percent.ValueKind)
        {
            case JsonValueKind.Undefined:
                break;
            case JsonValueKind.Null when request.Domain is not null:
                changes.Add(new RoutingChange.InheritPercent(request.Domain));
                break;
            case JsonValueKind.Number when request.Percent.TryGetDecimal(out var percent):
                changes.Add(new RoutingChange.SetPercent(percent, request.Domain));
                break;
            default:
                return Refuse(AdminError.InvalidPercent,
                    $"'percent' must be a number from 0 to 100 (or null with a domain), not {request.Percent.GetRawText()}");
        }

        if (changes.Count == 0)
        {
            return Refuse(AdminError.InvalidRequest, "nothing to change: give 'percent' and/or 'routable'");
        }

        // Through the rollout's owner: a running rollout owns the percent (RolloutPolicy.ManualChange), decided under its lock.
        var (applied, refusal) = await rollouts.ChangeRoutingAsync(changes, principal.Name, request.Reason, context.RequestAborted);
        return refusal is not null ? Refuse(refusal.Error, refusal.Message) : changer.Answer(applied!);
    }

    public async Task<IResult> SetEnabledAsync(HttpContext context, AdminPrincipal principal, bool enabled)
    {
        // No body at all is a change without a reason: say that, rather than that the JSON is invalid.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return await changer.ChangeAsync(context, principal, [new RoutingChange.SetEnabled(enabled)], reason: null);
        }

        var (request, problem) = await ReadAsync(context, ServerJson.Default.ReasonRequest);
        return request is null ? problem! : await changer.ChangeAsync(context, principal, [new RoutingChange.SetEnabled(enabled)], request.Reason);
    }
}
