namespace Cutover.Server.Contracts;

/// <summary>The answer to a rollout command or a rollback: the events written (routing and rollout) and the rollout after.</summary>
public sealed record RolloutCommandResponse(List<HistoryEvent> Events, RolloutStatusResponse Rollout);
