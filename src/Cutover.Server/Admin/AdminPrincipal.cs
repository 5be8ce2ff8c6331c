namespace Cutover.Server.Admin;

/// <summary>Who is calling the admin API: the token's name (the actor in the audit trail) and its role.</summary>
internal sealed record AdminPrincipal(string Name, AdminRole Role);
