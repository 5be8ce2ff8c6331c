namespace Cutover.Core.Routing;

/// <summary>
/// What one user did in one domain over a window, as the decision log keeps it: the user key as stored (hashed
/// unless <c>Privacy:UserKeys</c> is raw), the user's bucket, and how many updates of that user the router decided
/// for that domain.
/// </summary>
public readonly record struct UserActivity(string UserKey, string Domain, int Bucket, long Requests);
