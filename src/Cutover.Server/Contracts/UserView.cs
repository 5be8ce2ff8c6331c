namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/users/{id}</c>: one person as routing sees them. <c>user</c> is the identifier asked about;
/// <c>known</c> says whether Cutover has seen it (else the bucket is the one a new user with this identifier would get);
/// <c>person</c> and <c>identifiers</c> are in their stored form (hashed unless <c>Privacy:UserKeys</c> is <c>raw</c>), so
/// the answer names no phone number the caller did not type; <c>routes</c> is the side the person is on in each domain now.
/// </summary>
public sealed record UserView(
    string User,
    bool Known,
    string Person,
    DateTimeOffset? FirstSeen,
    int Bucket,
    List<UserIdentifierView> Identifiers,
    OverrideView? Override,
    List<UserRouteView> Routes,
    UserInboundView? Conversation,
    UserDecisionView? LastDecision);
