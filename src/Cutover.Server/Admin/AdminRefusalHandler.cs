using Cutover.Core.Errors;
using Cutover.Server.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Admin;

/// <summary>
/// Answers a caller an admin policy refused as the admin API answers every refusal (<c>unauthorized</c> 401 or
/// <c>forbidden</c> 403, with the sentence <see cref="AdminAuthenticator"/> gave), and logs it. ASP.NET Core's own
/// answer would be a challenge through an authentication scheme, which the admin API does not have.
/// </summary>
internal sealed class AdminRefusalHandler(ILoggerFactory loggers) : IAuthorizationMiddlewareResultHandler
{
    // The category the refusals were always logged under, so that log filters written for it keep working.
    private readonly ILogger _logger = loggers.CreateLogger(typeof(AdminApi).FullName!);

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        var refusal = context.Features.Get<AdminRefusal>();
        var status = refusal?.Status ?? StatusCodes.Status403Forbidden;
        var problem = refusal?.Message ?? "the admin API refused this request";
        LogMessages.AdminRefused(_logger, status, problem);
        return AdminResults.Refuse(status == StatusCodes.Status401Unauthorized ? AdminError.Unauthorized : AdminError.Forbidden, problem).ExecuteAsync(context);
    }
}
