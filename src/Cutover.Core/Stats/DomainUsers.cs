namespace Cutover.Core.Stats;

/// <summary>
/// How many distinct users the decision log saw in one domain over a window, and how many of them went to unified:
/// what the <c>split</c> check judges, because users, not requests, are assigned to a route (by their bucket). Counts
/// the stored user keys (hashed unless <c>Privacy:UserKeys</c> is raw); a user seen on both routes in the window
/// counts once in <see cref="Users"/> and once in <see cref="UnifiedUsers"/>.
/// </summary>
public readonly record struct DomainUsers(string Domain, long Users, long UnifiedUsers);
