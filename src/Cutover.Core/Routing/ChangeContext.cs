namespace Cutover.Core.Routing;

/// <summary>
/// Who asks for a change, why, and when. <see cref="UserKeyForAudit"/> turns a user key into what the
/// audit trail may keep (hashed by default, like the decision log).
/// </summary>
public sealed record ChangeContext(string Actor, string? Reason, DateTimeOffset Now, Func<string, string> UserKeyForAudit);
