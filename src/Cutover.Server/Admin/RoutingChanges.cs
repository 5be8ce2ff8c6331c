using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Cutover.Server.Routing;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Admin;

/// <summary>Applies an operator's routing changes and answers with the events recorded and the status after them.</summary>
internal sealed class RoutingChanges(RoutingService routing, AdminStatus status)
{
    public async Task<IResult> ChangeAsync(HttpContext context, AdminPrincipal principal, List<RoutingChange> changes, string? reason) =>
        Answer(await routing.ApplyAsync(changes, principal.Name, reason, context.RequestAborted));

    /// <summary>The answer to changes applied (or refused by routing): the events recorded and the status after them.</summary>
    public IResult Answer(AppliedChanges applied)
    {
        if (!applied.Succeeded)
        {
            return AdminResults.Refuse(AdminErrors.Of(applied.Error), applied.Message!);
        }

        List<HistoryEvent> events = [.. applied.Events.Select(ContractMapper.History)];
        return AdminResults.Json(new ChangeResponse(events.Count > 0, events, status.Build()), ServerJson.Default.ChangeResponse);
    }
}
