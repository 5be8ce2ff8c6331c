namespace Cutover.Core.Rollout;

/// <summary>One step of a plan: route <paramref name="Percent"/>, watch it for <paramref name="Soak"/>, and see at least
/// <paramref name="MinRequests"/> unified requests before moving on.</summary>
public sealed record RolloutStep(decimal Percent, TimeSpan Soak, long MinRequests);
