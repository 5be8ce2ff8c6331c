using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Support;

/// <summary>A small topology like the default one: three routable domains, three protected, and default.</summary>
internal static class TestTopology
{
    public const string JobsNumber = "111000111";

    public static RouterTopology Create(string salt = "test-salt", string callsUpstream = "mobility") => RouterTopology.TryCreate(
        [
            new DomainSpec("jobs", "jobs", false, [JobsNumber], ["job_"], ["job", "hiring", "apply", "career", "emploi", "akazi"]),
            new DomainSpec("marketplace", "marketplace", false, [], ["mkt_"], ["buy", "shop", "product", "order", "acheter"]),
            new DomainSpec("property", "property", false, [], ["prop_"], ["property", "rent", "apartment", "house", "maison", "inzu", "real estate"]),
            new DomainSpec("mobility", "mobility", true, [], ["ride_"], ["ride", "taxi", "driver"]),
            new DomainSpec("profile", "profile", true, [], ["profile_"], ["profile", "account"]),
            new DomainSpec("insurance", "insurance", true, [], ["ins_"], ["insurance", "claim"]),
            new DomainSpec("default", "default", false, [], [], []),
        ],
        new Dictionary<string, string> { ["calls"] = callsUpstream },
        "default",
        salt,
        out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));

    public static RoutingState State(decimal percent, bool enabled = true) =>
        RoutingState.Initial(["jobs", "marketplace", "property"], DateTimeOffset.UnixEpoch) with { Percent = percent, Enabled = enabled };

    public static RoutingSnapshot Snapshot(decimal percent, bool enabled = true) => RoutingSnapshot.Create(Create(), State(percent, enabled));
}
