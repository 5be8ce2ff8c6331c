using System.Globalization;
using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.HotPath;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using static Cutover.Server.Admin.AdminResults;

namespace Cutover.Server.Admin;

/// <summary><c>GET /admin/status</c>, <c>GET /admin/history</c> and <c>POST /admin/explain</c>: what routing is, was, and would do with a payload.</summary>
internal sealed class StatusEndpoints(
    AdminStatus status,
    IRoutingStore audit,
    RoutingService routing,
    RoutingMemory memory,
    IOptions<CutoverOptions> options,
    TimeProvider time)
{
    private const int MaxHistory = 10_000;

    public static void Map(RouteGroupBuilder group)
    {
        var (read, _) = AdminPolicies.Split(group);
        read.MapGet("/status", static (StatusEndpoints api) => api.Status());
        read.MapGet("/history", static (HttpContext c, StatusEndpoints api) => api.HistoryAsync(c));
        read.MapPost("/explain", static (HttpContext c, StatusEndpoints api) => api.ExplainAsync(c));
    }

    public IResult Status() => Json(status.Build(), ServerJson.Default.StatusResponse);

    public async Task<IResult> HistoryAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxHistory))
        {
            return Refuse(AdminError.InvalidRequest, $"'limit' must be a whole number from 1 to {MaxHistory}, not '{limitText}'");
        }

        DateTimeOffset? since = null;
        if (query.TryGetValue("since", out var sinceText))
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Refuse(AdminError.InvalidRequest, $"'since' must be an ISO 8601 time, not '{sinceText}'");
            }

            since = parsed;
        }

        string? kind = query["kind"];
        var events = await audit.HistoryAsync(new HistoryQuery(limit, since, kind), context.RequestAborted);
        return Json(new HistoryResponse([.. events.Select(ContractMapper.History)]), ServerJson.Default.HistoryResponse);
    }

    public async Task<IResult> ExplainAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request, options.Value.Ingress.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return Refuse(AdminError.PayloadTooLarge,
                $"the payload is larger than {options.Value.Ingress.MaxBodyBytes} bytes (Cutover:Ingress:MaxBodyBytes)");
        }

        using (body)
        {
            if (!Explainer.TryExplain(body.Span, routing.Current, memory, time.GetUtcNow(), out var updates, out var error))
            {
                return Refuse(AdminError.MalformedPayload, error!);
            }

            return Json(new ExplainResponse(updates), ServerJson.Default.ExplainResponse);
        }
    }
}
