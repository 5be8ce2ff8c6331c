namespace Cutover.Store;

/// <summary>What a <see cref="LeaseOutcome"/> does to its row.</summary>
public enum LeaseOutcomeKind
{
    /// <summary>Delivered: <c>delivered</c>, the attempt counted.</summary>
    Completed,

    /// <summary>Back to <c>pending</c> until its next attempt, the attempt counted.</summary>
    RetryLater,

    /// <summary>Back to <c>pending</c> without an attempt: nothing was sent.</summary>
    Released,

    /// <summary>A dead letter: <c>dead</c>, with its reason.</summary>
    DeadLettered,
}
