using System.Collections.Immutable;

namespace Cutover.Core.Routing;

/// <summary>
/// The routing settings operators change at run time. Immutable: a change makes a new state with a
/// higher <see cref="Version"/>, which is stored with its audit event and then published to the hot path.
/// </summary>
public sealed record RoutingState(
    bool Enabled,
    decimal Percent,
    ImmutableSortedDictionary<string, decimal> DomainPercents,
    ImmutableSortedSet<string> Routable,
    ImmutableSortedDictionary<string, UserOverride> Overrides,
    long Version,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The state of a new store: enabled at 0% (nothing moves until the first <c>set</c>), with every
    /// domain that may be routable made routable.
    /// </summary>
    public static RoutingState Initial(IEnumerable<string> routable, DateTimeOffset now) => new(
        Enabled: true,
        Percent: 0m,
        DomainPercents: ImmutableSortedDictionary<string, decimal>.Empty.WithComparers(StringComparer.Ordinal),
        Routable: ImmutableSortedSet.CreateRange(StringComparer.Ordinal, routable),
        Overrides: ImmutableSortedDictionary<string, UserOverride>.Empty.WithComparers(StringComparer.Ordinal),
        Version: 1,
        UpdatedAt: now);

    /// <summary>The percentage that applies to <paramref name="domain"/>: its own if set, else the global one.</summary>
    public decimal PercentFor(string domain) => DomainPercents.TryGetValue(domain, out var own) ? own : Percent;
}
