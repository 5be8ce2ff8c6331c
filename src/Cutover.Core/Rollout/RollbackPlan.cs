using Cutover.Core.Routing;

namespace Cutover.Core.Rollout;

/// <summary>
/// What a rollback would do, worked out before anything is written: refused (it would raise the percent), nothing
/// (routing is already there and no rollout would halt: nothing is recorded), or the changes to apply, the rollout's
/// next state and the percent it comes from, and what becomes of the overrides on unified.
/// </summary>
public sealed record RollbackPlan(
    RolloutRefusal? Refusal,
    string? Nothing,
    RolloutState Before,
    RolloutState Next,
    decimal FromPercent,
    IReadOnlyList<RoutingChange> Changes)
{
    /// <summary>Overrides that still send users of the scope to unified after the rollback.</summary>
    public int OverridesLeft { get; init; }

    /// <summary>Overrides on unified the rollback clears (with <c>include_overrides</c>).</summary>
    public int OverridesCleared { get; init; }

    public bool Refused => Refusal is not null;

    public bool ChangesNothing => Nothing is not null;
}
