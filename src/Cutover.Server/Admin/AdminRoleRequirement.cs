using Microsoft.AspNetCore.Authorization;

namespace Cutover.Server.Admin;

/// <summary>What an admin policy asks of the caller: a token of at least <see cref="Role"/>.</summary>
internal sealed record AdminRoleRequirement(AdminRole Role) : IAuthorizationRequirement;
