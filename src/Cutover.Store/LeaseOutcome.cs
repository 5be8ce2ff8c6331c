namespace Cutover.Store;

/// <summary>
/// How a leased update's turn ends, to be recorded by <see cref="IDeliveryStore.FinishAsync"/>: delivered, back to wait
/// (after an attempt, or released without one), or a dead letter. Made with the factory methods, which say what each
/// kind carries.
/// </summary>
public sealed record LeaseOutcome
{
    private LeaseOutcome(long id, string owner, LeaseOutcomeKind kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        Id = id;
        Owner = owner;
        Kind = kind;
    }

    /// <summary>The update's id.</summary>
    public long Id { get; }

    /// <summary>Who holds the lease; nothing changes when someone else does by now.</summary>
    public string Owner { get; }

    public LeaseOutcomeKind Kind { get; }

    /// <summary>The attempt made, recorded and counted; null when nothing was sent.</summary>
    public DeliveryAttempt? Attempt { get; private init; }

    /// <summary>When a row that goes back to wait is due again.</summary>
    public DateTimeOffset? NextAttemptAt { get; private init; }

    /// <summary>A dead letter's reason, error, and the domain and route it was going to.</summary>
    public string? Reason { get; private init; }

    public string? Error { get; private init; }

    public string? Domain { get; private init; }

    public string? Route { get; private init; }

    /// <summary>Delivered by <paramref name="attempt"/>.</summary>
    public static LeaseOutcome Completed(long id, string owner, DeliveryAttempt attempt) =>
        new(id, owner, LeaseOutcomeKind.Completed) { Attempt = attempt ?? throw new ArgumentNullException(nameof(attempt)) };

    /// <summary>Not taken by <paramref name="attempt"/>: waits until <paramref name="nextAttemptAt"/>, the attempt counted.</summary>
    public static LeaseOutcome RetryLater(long id, string owner, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt) =>
        new(id, owner, LeaseOutcomeKind.RetryLater) { Attempt = attempt ?? throw new ArgumentNullException(nameof(attempt)), NextAttemptAt = nextAttemptAt };

    /// <summary>Nothing sent (a circuit open, the upstream busy): waits until <paramref name="nextAttemptAt"/>, no attempt counted.</summary>
    public static LeaseOutcome Released(long id, string owner, DateTimeOffset nextAttemptAt) =>
        new(id, owner, LeaseOutcomeKind.Released) { NextAttemptAt = nextAttemptAt };

    /// <summary>Given up: a dead letter, with <paramref name="attempt"/> recorded and counted when one was made.</summary>
    public static LeaseOutcome DeadLettered(
        long id, string owner, DeliveryAttempt? attempt, string reason, string? error, string? domain, string? route)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(id, owner, LeaseOutcomeKind.DeadLettered) { Attempt = attempt, Reason = reason, Error = error, Domain = domain, Route = route };
    }
}
