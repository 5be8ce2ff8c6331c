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
        // A field without an upstream of its own goes where the fallback domain's legacy traffic goes.
        var fallbackUpstream = options.Domains.TryGetValue(RouterTopology.FallbackDomain, out var fallback) && fallback.Upstream is { } named
            ? named
            : RouterTopology.FallbackDomain;
        return RouterTopology.TryCreate(domains, options.Fields, fallbackUpstream, options.Routing.Salt, out problems);
    }

    public static RouterTopology Create(CutoverOptions options) =>
        TryCreate(options, out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
}
