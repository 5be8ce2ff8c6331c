namespace Cutover.Server.Contracts;

/// <summary>
/// The body of <c>POST /admin/rollout/{start|promote|pause|resume|abort}</c>; <c>domain</c> only for start,
/// <c>force</c> for resume, <c>accept</c> (the names of the gates an operator knowingly waives) for promote.
/// </summary>
public sealed record RolloutRequest(string? Reason, string? Domain, bool? Force = null, IReadOnlyList<string>? Accept = null);
