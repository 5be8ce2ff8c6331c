using Microsoft.AspNetCore.Authorization;

namespace Cutover.Server.Admin;

/// <summary>Why <see cref="AdminRoleHandler"/> refused the caller: the status (401 or 403) and the sentence the answer carries.</summary>
internal sealed class AdminRefusal(IAuthorizationHandler handler, int status, string message) : AuthorizationFailureReason(handler, message)
{
    public int Status { get; } = status;
}
