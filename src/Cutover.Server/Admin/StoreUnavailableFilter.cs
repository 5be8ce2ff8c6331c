using Cutover.Core.Errors;
using Cutover.Server.Cluster;
using Cutover.Store;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Admin;

/// <summary>
/// The database is away: an admin endpoint says so (503, the kind of failure only: a driver's message may name hosts or
/// users) rather than a bare 500. Routing goes on meanwhile; a change can be made again when the store is back.
/// </summary>
internal sealed class StoreUnavailableFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException
            || (ex is StoreException { InnerException: not null }))
        {
            return AdminResults.Refuse(AdminError.StoreUnavailable,
                $"the store did not answer ({StoreAvailability.Describe(ex)}); routing goes on from the last state loaded, try again later");
        }
    }
}
