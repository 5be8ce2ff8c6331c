using Cutover.Core.Health;

namespace Cutover.Core.Rollout;

/// <summary>
/// An operator command's outcome: the next state, or why it was refused; for a promote, the gates the operator
/// accepted as they were judged then (empty otherwise), which its event records.
/// </summary>
public sealed record RolloutCommandResult(RolloutState? Next, RolloutRefusal? Refusal)
{
    public IReadOnlyList<HealthCheck> Accepted { get; init; } = [];

    public bool Succeeded => Next is not null;

    /// <summary>The refusal's sentence, or null when the command succeeded.</summary>
    public string? Error => Refusal?.Message;

    public static RolloutCommandResult To(RolloutState next) => new(next, null);

    public static RolloutCommandResult Refused(RolloutRefusalCode code, string message) => new(null, new RolloutRefusal(code, message));
}
