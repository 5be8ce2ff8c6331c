using Cutover.Core.Errors;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Server.Rollout;

/// <summary>What a rollout command or evaluation did: the state after it, the events stored, or why it was refused.</summary>
internal sealed record RolloutOutcome(RolloutState State, IReadOnlyList<AuditEvent> Events, AdminError? Error, string Message)
{
    /// <summary>For a rollback: the overrides that still send users of its scope to unified after it.</summary>
    public int? OverridesOnUnified { get; init; }

    public bool Succeeded => Error is null;
}
