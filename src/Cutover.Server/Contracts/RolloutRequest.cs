namespace Cutover.Server.Contracts;

/// <summary>The body of <c>POST /admin/rollout/{start|promote|pause|resume|abort}</c>; <c>domain</c> only for start.</summary>
public sealed record RolloutRequest(string? Reason, string? Domain, bool? Force = null);
