namespace Cutover.Core.Errors;

/// <summary>
/// Every refusal of the admin API, closed: each case has one wire name (the answer's <c>error</c>, see
/// <see cref="AdminErrors.WireName"/>), one sentence saying what it means, one HTTP status (the server maps it once) and one
/// exit code (the CLI maps it once). A new refusal is a new case here, never a string at a call site; a test fails until
/// every mapping has it.
/// </summary>
public enum AdminError
{
    None = 0,

    // The caller's request: 400 unless said otherwise.

    /// <summary>The body or a parameter is not what the endpoint takes.</summary>
    InvalidRequest,

    /// <summary>A percent out of 0 to 100, with more than two decimals, or not a number.</summary>
    InvalidPercent,

    /// <summary>A change without a reason.</summary>
    ReasonRequired,

    /// <summary>A reason too long or with a control character.</summary>
    ReasonInvalid,

    /// <summary>A domain the topology does not have.</summary>
    UnknownDomain,

    /// <summary>A change to a protected domain.</summary>
    ProtectedDomain,

    /// <summary>A user key that is empty, too long or has a control character.</summary>
    InvalidUser,

    /// <summary>An override with neither route nor domain, or a route that is not one.</summary>
    InvalidOverride,

    /// <summary><c>rollout promote --accept</c> naming a gate that is not one.</summary>
    UnknownGate,

    /// <summary><c>explain</c>: the payload is not a webhook Cutover can read.</summary>
    MalformedPayload,

    /// <summary><c>explain</c>: the payload is larger than <c>Ingress:MaxBodyBytes</c> (413).</summary>
    PayloadTooLarge,

    // Who the caller is.

    /// <summary>No token, or not a configured one (401).</summary>
    Unauthorized,

    /// <summary>A read token for a change, or no token configured and the request not local (403).</summary>
    Forbidden,

    // What is not there (404).

    /// <summary>The user has no override.</summary>
    NotFound,

    /// <summary>No baseline has been captured.</summary>
    NoBaseline,

    /// <summary>A rollout command that is not one.</summary>
    UnknownCommand,

    // The state refuses it (409).

    /// <summary>A baseline capture while legacy took no requests in the window.</summary>
    NoLegacyTraffic,

    /// <summary>A manual percent change while a rollout runs: the rollout owns the percent.</summary>
    RolloutActive,

    /// <summary>A rollout command (or a rollback) the rollout's state does not allow (<see cref="Rollout.RolloutRefusalCode"/>).</summary>
    RolloutRefused,

    /// <summary><c>rollout resume</c> while a health check is critical.</summary>
    CriticalHealth,

    // Ours (503).

    /// <summary>The store did not answer.</summary>
    StoreUnavailable,

    /// <summary>As many decision streams are open as one instance serves at once.</summary>
    TooManyStreams,
}
