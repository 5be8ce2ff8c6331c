using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Errors;

/// <summary>An <see cref="AdminError"/>'s wire name and sentence, and which error each rule's refusal is.</summary>
public static class AdminErrors
{
    /// <summary>Every case but <see cref="AdminError.None"/>: what the mappings must each cover.</summary>
    public static IReadOnlyList<AdminError> All { get; } = [.. Enum.GetValues<AdminError>().Where(static e => e != AdminError.None)];

    /// <summary>The answer's <c>error</c>: the names scripts test for, unchanged since they were strings.</summary>
    public static string WireName(this AdminError error) => error switch
    {
        AdminError.InvalidRequest => "invalid_request",
        AdminError.InvalidPercent => "invalid_percent",
        AdminError.ReasonRequired => "reason_required",
        AdminError.ReasonInvalid => "reason_invalid",
        AdminError.UnknownDomain => "unknown_domain",
        AdminError.ProtectedDomain => "protected_domain",
        AdminError.InvalidUser => "invalid_user",
        AdminError.InvalidOverride => "invalid_override",
        AdminError.UnknownGate => "unknown_gate",
        AdminError.MalformedPayload => "malformed_payload",
        AdminError.PayloadTooLarge => "payload_too_large",
        AdminError.Unauthorized => "unauthorized",
        AdminError.Forbidden => "forbidden",
        AdminError.NotFound => "not_found",
        AdminError.NoBaseline => "no_baseline",
        AdminError.UnknownCommand => "unknown_command",
        AdminError.NoLegacyTraffic => "no_legacy_traffic",
        AdminError.RolloutActive => "rollout_active",
        AdminError.RolloutRefused => "rollout_refused",
        AdminError.CriticalHealth => "critical_health",
        AdminError.StoreUnavailable => "store_unavailable",
        AdminError.TooManyStreams => "too_many_streams",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not an admin error"),
    };

    /// <summary>What the case means, in a sentence (the answer's <c>message</c> says what happened this time).</summary>
    public static string Describe(this AdminError error) => error switch
    {
        AdminError.InvalidRequest => "the request is not what this endpoint takes",
        AdminError.InvalidPercent => "a percent must be a number from 0 to 100 with at most two decimals",
        AdminError.ReasonRequired => "a change needs a reason",
        AdminError.ReasonInvalid => "the reason is too long or has a control character",
        AdminError.UnknownDomain => "the topology has no such domain",
        AdminError.ProtectedDomain => "a protected domain is never routed to unified",
        AdminError.InvalidUser => "the user key is empty, too long or has a control character",
        AdminError.InvalidOverride => "an override needs a route (unified or legacy) or a domain",
        AdminError.UnknownGate => "a gate named to accept is not one of the rollout's gates",
        AdminError.MalformedPayload => "the payload is not a webhook Cutover can read",
        AdminError.PayloadTooLarge => "the payload is larger than Ingress:MaxBodyBytes",
        AdminError.Unauthorized => "a configured admin token is required",
        AdminError.Forbidden => "this caller may not do this",
        AdminError.NotFound => "there is no such thing",
        AdminError.NoBaseline => "no baseline has been captured",
        AdminError.UnknownCommand => "not a rollout command",
        AdminError.NoLegacyTraffic => "legacy took no requests in the window: nothing to capture",
        AdminError.RolloutActive => "a running rollout owns the percent",
        AdminError.RolloutRefused => "the rollout's state does not allow this command",
        AdminError.CriticalHealth => "a health check is critical",
        AdminError.StoreUnavailable => "the store did not answer",
        AdminError.TooManyStreams => "as many decision streams are open as this instance serves at once",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not an admin error"),
    };

    /// <summary>The case a wire name names, for a client reading an answer; false for a name this version does not know.</summary>
    public static bool TryParse(string? wireName, out AdminError error)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.WireName(), wireName, StringComparison.Ordinal))
            {
                error = candidate;
                return true;
            }
        }

        error = AdminError.None;
        return false;
    }

    /// <summary>A routing change's refusal.</summary>
    public static AdminError Of(ChangeError error) => error switch
    {
        ChangeError.ReasonRequired => AdminError.ReasonRequired,
        ChangeError.InvalidReason => AdminError.ReasonInvalid,
        ChangeError.InvalidPercent => AdminError.InvalidPercent,
        ChangeError.UnknownDomain => AdminError.UnknownDomain,
        ChangeError.ProtectedDomain => AdminError.ProtectedDomain,
        ChangeError.InvalidUser => AdminError.InvalidUser,
        ChangeError.InvalidOverride => AdminError.InvalidOverride,
        _ => AdminError.InvalidRequest,
    };

    /// <summary>
    /// A rollout's refusal. Every rollout command's case but a critical check answers <c>rollout_refused</c>, as before
    /// the cases had names, so scripts that test for it keep working; <c>critical_health</c> has its own, because an
    /// operator's answer to it differs (fix unified, or <c>--force</c>); a manual percent change refused because the
    /// rollout owns the percent is <c>rollout_active</c>, as it always was.
    /// </summary>
    public static AdminError Of(RolloutRefusalCode code) => code switch
    {
        RolloutRefusalCode.CriticalHealth or RolloutRefusalCode.CriticalNotAcceptable => AdminError.CriticalHealth,
        RolloutRefusalCode.UnknownGate => AdminError.UnknownGate,
        RolloutRefusalCode.OwnsPercent => AdminError.RolloutActive,
        _ => AdminError.RolloutRefused,
    };
}
