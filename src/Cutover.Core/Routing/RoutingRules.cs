using System.Globalization;
using System.Text.Json.Nodes;

namespace Cutover.Core.Routing;

/// <summary>
/// Applies an operator's change to the routing state: checks it against the topology (a protected
/// domain never becomes routable, a percentage has two decimals in 0..100, a reason is required and fits
/// <see cref="ReasonText"/>) and produces the next state with its audit event. Pure: storing and publishing are the caller's job.
/// </summary>
public static class RoutingRules
{
    public static ChangeOutcome Apply(RoutingState state, RoutingChange change, RouterTopology topology, ChangeContext context)
    {
        if (ReasonText.Check(context.Reason, "a reason is required for every change (--reason)") is { } problem)
        {
            return ChangeOutcome.Refused(problem.Error, problem.Message);
        }

        if (string.IsNullOrWhiteSpace(context.Actor))
        {
            throw new ArgumentException("every change needs an actor", nameof(context));
        }

        return change switch
        {
            RoutingChange.SetPercent c => SetPercent(state, c, topology, context),
            RoutingChange.InheritPercent c => InheritPercent(state, c, topology, context),
            RoutingChange.SetEnabled c => SetEnabled(state, c, context),
            RoutingChange.SetRoutable c => SetRoutable(state, c, topology, context),
            RoutingChange.SetOverride c => SetOverride(state, c, topology, context),
            RoutingChange.ClearOverride c => ClearOverride(state, c, context),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "unknown change"),
        };
    }

    /// <summary>Checks a percentage: 0..100 with at most two decimals. Returns null when valid, else the problem.</summary>
    public static string? CheckPercent(decimal percent)
    {
        if (percent < 0m || percent > 100m)
        {
            return $"percent must be between 0 and 100, not {Format(percent)}";
        }

        if (decimal.Round(percent, 2) != percent)
        {
            return $"percent has at most two decimals (one bucket is 0.01%), not {percent.ToString(CultureInfo.InvariantCulture)}";
        }

        return null;
    }

    private static ChangeOutcome SetPercent(RoutingState state, RoutingChange.SetPercent change, RouterTopology topology, ChangeContext context)
    {
        if (CheckPercent(change.Percent) is { } problem)
        {
            return ChangeOutcome.Refused(ChangeError.InvalidPercent, problem);
        }

        if (change.Domain is null)
        {
            if (state.Percent == change.Percent)
            {
                return ChangeOutcome.Unchanged(state);
            }

            return Commit(state with { Percent = change.Percent }, AuditKinds.Percent, context,
                new JsonObject { ["percent"] = state.Percent },
                new JsonObject { ["percent"] = change.Percent });
        }

        if (CheckDomain(change.Domain, topology) is { } refused)
        {
            return refused;
        }

        var before = state.DomainPercents.TryGetValue(change.Domain, out var own) ? own : (decimal?)null;
        if (before == change.Percent)
        {
            return ChangeOutcome.Unchanged(state);
        }

        return Commit(state with { DomainPercents = state.DomainPercents.SetItem(change.Domain, change.Percent) },
            AuditKinds.Percent, context,
            new JsonObject { ["domain"] = change.Domain, ["percent"] = before },
            new JsonObject { ["domain"] = change.Domain, ["percent"] = change.Percent });
    }

    private static ChangeOutcome InheritPercent(RoutingState state, RoutingChange.InheritPercent change, RouterTopology topology, ChangeContext context)
    {
        if (!topology.Domains.ContainsKey(change.Domain))
        {
            return UnknownDomain(change.Domain, topology);
        }

        if (!state.DomainPercents.TryGetValue(change.Domain, out var own))
        {
            return ChangeOutcome.Unchanged(state);
        }

        return Commit(state with { DomainPercents = state.DomainPercents.Remove(change.Domain) },
            AuditKinds.Percent, context,
            new JsonObject { ["domain"] = change.Domain, ["percent"] = own },
            new JsonObject { ["domain"] = change.Domain, ["percent"] = null });
    }

    private static ChangeOutcome SetEnabled(RoutingState state, RoutingChange.SetEnabled change, ChangeContext context)
    {
        if (state.Enabled == change.Enabled)
        {
            return ChangeOutcome.Unchanged(state);
        }

        return Commit(state with { Enabled = change.Enabled },
            change.Enabled ? AuditKinds.Enable : AuditKinds.Disable, context,
            new JsonObject { ["enabled"] = state.Enabled },
            new JsonObject { ["enabled"] = change.Enabled });
    }

    private static ChangeOutcome SetRoutable(RoutingState state, RoutingChange.SetRoutable change, RouterTopology topology, ChangeContext context)
    {
        if (!topology.Domains.ContainsKey(change.Domain))
        {
            return UnknownDomain(change.Domain, topology);
        }

        if (change.Routable && topology.IsProtected(change.Domain))
        {
            return ChangeOutcome.Refused(ChangeError.ProtectedDomain,
                $"{change.Domain} is a protected domain: it always goes to legacy and cannot be made routable");
        }

        var isRoutable = state.Routable.Contains(change.Domain);
        if (isRoutable == change.Routable)
        {
            return ChangeOutcome.Unchanged(state);
        }

        var routable = change.Routable ? state.Routable.Add(change.Domain) : state.Routable.Remove(change.Domain);
        return Commit(state with { Routable = routable }, AuditKinds.Routable, context,
            new JsonObject { ["domain"] = change.Domain, ["routable"] = isRoutable },
            new JsonObject { ["domain"] = change.Domain, ["routable"] = change.Routable });
    }

    private static ChangeOutcome SetOverride(RoutingState state, RoutingChange.SetOverride change, RouterTopology topology, ChangeContext context)
    {
        if (CheckUserKey(change.UserKey) is { } refused)
        {
            return refused;
        }

        if (change.Route is null && change.Domain is null)
        {
            return ChangeOutcome.Refused(ChangeError.InvalidOverride, "an override needs a route (unified or legacy), a domain, or both");
        }

        if (change.Domain is not null && !topology.Domains.ContainsKey(change.Domain))
        {
            return UnknownDomain(change.Domain, topology);
        }

        state.Overrides.TryGetValue(change.UserKey, out var before);
        if (before is not null && before.Route == change.Route && before.Domain == change.Domain)
        {
            return ChangeOutcome.Unchanged(state);
        }

        var user = context.UserKeyForAudit(change.UserKey);
        var pinned = new UserOverride(change.Route, change.Domain, context.Actor, context.Reason!.Trim(), context.Now);
        return Commit(state with { Overrides = state.Overrides.SetItem(change.UserKey, pinned) },
            AuditKinds.Override, context,
            Describe(user, before),
            Describe(user, pinned));
    }

    private static ChangeOutcome ClearOverride(RoutingState state, RoutingChange.ClearOverride change, ChangeContext context)
    {
        if (CheckUserKey(change.UserKey) is { } refused)
        {
            return refused;
        }

        if (!state.Overrides.TryGetValue(change.UserKey, out var before))
        {
            return ChangeOutcome.Unchanged(state);
        }

        var user = context.UserKeyForAudit(change.UserKey);
        return Commit(state with { Overrides = state.Overrides.Remove(change.UserKey) },
            AuditKinds.OverrideClear, context,
            Describe(user, before),
            Describe(user, null));
    }

    private static ChangeOutcome Commit(RoutingState next, string kind, ChangeContext context, JsonObject before, JsonObject after)
    {
        var stamped = next with { Version = next.Version + 1, UpdatedAt = context.Now };
        var audit = new AuditEvent(0, context.Now, kind, context.Actor, context.Reason!.Trim(), before.ToJsonString(), after.ToJsonString());
        return new ChangeOutcome(ChangeError.None, null, stamped, audit);
    }

    private static ChangeOutcome? CheckDomain(string domain, RouterTopology topology)
    {
        if (!topology.Domains.ContainsKey(domain))
        {
            return UnknownDomain(domain, topology);
        }

        if (topology.IsProtected(domain))
        {
            return ChangeOutcome.Refused(ChangeError.ProtectedDomain,
                $"{domain} is a protected domain: it always goes to legacy, so it has no percentage");
        }

        return null;
    }

    private static ChangeOutcome? CheckUserKey(string userKey)
    {
        if (string.IsNullOrWhiteSpace(userKey) || userKey.Length > 128 || userKey.Any(char.IsControl))
        {
            return ChangeOutcome.Refused(ChangeError.InvalidUser,
                "a user key is a WhatsApp id (digits, or a business-scoped id such as US.123…) of at most 128 characters");
        }

        return null;
    }

    private static ChangeOutcome UnknownDomain(string domain, RouterTopology topology) =>
        ChangeOutcome.Refused(ChangeError.UnknownDomain,
            $"unknown domain '{domain}'; configured domains: {string.Join(", ", topology.Domains.Keys.Order(StringComparer.Ordinal))}");

    private static JsonObject Describe(string user, UserOverride? pin) => new()
    {
        ["user"] = user,
        ["route"] = pin?.Route?.ToName(),
        ["domain"] = pin?.Domain,
    };

    private static string Format(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
