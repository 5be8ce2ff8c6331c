namespace Cutover.Core.Routing;

/// <summary>One domain as configured: where its legacy traffic goes and how its updates are recognised.</summary>
public sealed record DomainSpec(
    string Name,
    string LegacyUpstream,
    bool Protected,
    IReadOnlyList<string> PhoneNumberIds,
    IReadOnlyList<string> ButtonPrefixes,
    IReadOnlyList<string> Keywords);
