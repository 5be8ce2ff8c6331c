namespace Cutover.Core.Rollout;

/// <summary>
/// Every reason a rollout command can be refused, closed: each is one <see cref="Errors.AdminError"/>
/// (<see cref="RolloutRefusal.Error"/>), which the admin API maps to one HTTP status and the CLI to one exit code. A new case
/// is added here, never as a string at a call site.
/// </summary>
public enum RolloutRefusalCode
{
    /// <summary><c>start</c> while a rollout is soaking, awaiting promotion or holding.</summary>
    AlreadyRunning,

    /// <summary><c>start</c> while a rollout is halted after a rollback.</summary>
    Halted,

    /// <summary><c>start</c> for a domain that is protected, unknown or not routable.</summary>
    DomainNotRoutable,

    /// <summary><c>start</c> while the kill switch is on.</summary>
    RoutingDisabled,

    /// <summary><c>start</c> below where routing already is: it would move users back to legacy.</summary>
    BelowCurrentPercent,

    /// <summary><c>promote</c> while the step soaks, holds, or no rollout runs.</summary>
    NothingToPromote,

    /// <summary><c>promote</c> at the plan's last step.</summary>
    LastStep,

    /// <summary><c>promote</c> of a step held by gates (warn or insufficient_data) the operator did not accept.</summary>
    GatesHold,

    /// <summary><c>promote</c> accepting a name that is not one of the health checks.</summary>
    UnknownGate,

    /// <summary><c>promote</c> accepting a check that is critical: never waived.</summary>
    CriticalNotAcceptable,

    /// <summary><c>pause</c> with no rollout running, or already paused.</summary>
    NothingToPause,

    /// <summary><c>resume</c> of a rollout that is neither paused nor halted.</summary>
    NothingToResume,

    /// <summary><c>resume</c> while a health check is critical (unless forced); <c>promote</c> of a holding step then.</summary>
    CriticalHealth,

    /// <summary><c>abort</c> with no rollout running or halted.</summary>
    NothingToAbort,

    /// <summary>A rollback to a percent above the current one.</summary>
    RollbackRaises,

    /// <summary>Routing refused the percent the command needs (a store conflict, a rule of routing).</summary>
    PercentNotApplied,

    /// <summary>A manual percent change while a rollout runs (paused or not): the rollout owns the percent.</summary>
    OwnsPercent,
}
