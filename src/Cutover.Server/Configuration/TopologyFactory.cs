using Cutover.Core.Routing;

namespace Cutover.Server.Configuration;

/// <summary>Builds the router's <see cref="RouterTopology"/> from options.</summary>
public static class TopologyFactory
{
    public static RouterTopology? TryCreate(CutoverOptions options, out IReadOnlyList<string> problems)
    {
        var protectedDomains = options.ProtectedDomains.ToHashSet(StringComparer.Ordinal);
        var domains = options.Domains.Select(d => new DomainSpec(
            d.Key,
            d.Value.Upstream ?? d.Key,
            protectedDomains.Contains(d.Key),
            d.Value.PhoneNumberIds ?? [],
            d.Value.ButtonPrefixes ?? [],
            (d.Value.Keywords ?? []).Values.SelectMany(static k => k).ToList()));
        return RouterTopology.TryCreate(domains, options.Fields, RouterTopology.FallbackDomain, options.Routing.Salt, out problems);
    }

    public static RouterTopology Create(CutoverOptions options) =>
        TryCreate(options, out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
}
