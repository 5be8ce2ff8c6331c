using System.Text.Json.Serialization;

namespace Cutover.Server.Contracts;

/// <summary>
/// The answer to a rollout command or a rollback: the events written (routing and rollout), the rollout after, and,
/// when the command found nothing to do (a rollback with routing already there), why nothing was written.
/// </summary>
public sealed record RolloutCommandResponse(
    List<HistoryEvent> Events,
    RolloutStatusResponse Rollout,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null);
