using System.Text.Json.Serialization;

namespace Cutover.Server.Contracts;

/// <summary>
/// The answer to a rollout command or a rollback: the events written (routing and rollout), the rollout after, and,
/// when the command found nothing to do (a rollback with routing already there), why nothing was written. A rollback's
/// answer also counts the overrides that still send users of its scope to unified (and says so in <c>message</c>).
/// </summary>
public sealed record RolloutCommandResponse(
    List<HistoryEvent> Events,
    RolloutStatusResponse Rollout,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? OverridesOnUnified = null);
