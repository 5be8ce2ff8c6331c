using System.Collections.Frozen;
using Cutover.Core.Classification;

namespace Cutover.Core.Routing;

/// <summary>
/// What the configuration fixes for the life of the process: the domains, which are protected, how
/// updates are recognised, where each field goes, and the bucket salt. Immutable and validated.
/// </summary>
public sealed class RouterTopology
{
    /// <summary>The name of the new handler's upstream.</summary>
    public const string UnifiedUpstream = "unified";

    /// <summary>The domain of updates that match nothing.</summary>
    public const string FallbackDomain = "default";

    private readonly FrozenDictionary<string, string> _phoneNumberIds;
    private readonly (string Prefix, string Domain)[] _buttonPrefixes;
    private readonly FrozenDictionary<string, string> _fieldUpstreams;

    private RouterTopology(
        FrozenDictionary<string, DomainSpec> domains,
        FrozenDictionary<string, string> phoneNumberIds,
        (string Prefix, string Domain)[] buttonPrefixes,
        KeywordMatcher keywords,
        FrozenDictionary<string, string> fieldUpstreams,
        string defaultFieldUpstream,
        Bucketing bucketing)
    {
        Domains = domains;
        _phoneNumberIds = phoneNumberIds;
        _buttonPrefixes = buttonPrefixes;
        Keywords = keywords;
        _fieldUpstreams = fieldUpstreams;
        DefaultFieldUpstream = defaultFieldUpstream;
        Bucketing = bucketing;
    }

    public FrozenDictionary<string, DomainSpec> Domains { get; }

    public KeywordMatcher Keywords { get; }

    public Bucketing Bucketing { get; }

    /// <summary>The upstream for a field that has none of its own.</summary>
    public string DefaultFieldUpstream { get; }

    public IReadOnlyDictionary<string, string> FieldUpstreams => _fieldUpstreams;

    public bool IsProtected(string domain) => Domains.TryGetValue(domain, out var spec) && spec.Protected;

    /// <summary>The domains that may be made routable: every configured domain that is not protected.</summary>
    public IEnumerable<string> RoutableCandidates => Domains.Values.Where(static d => !d.Protected).Select(static d => d.Name);

    public string LegacyUpstreamOf(string domain) =>
        Domains.TryGetValue(domain, out var spec) ? spec.LegacyUpstream : Domains[FallbackDomain].LegacyUpstream;

    public string UpstreamOfField(string field) =>
        _fieldUpstreams.TryGetValue(field, out var upstream) ? upstream : DefaultFieldUpstream;

    public bool TryDomainOfPhoneNumberId(string? phoneNumberId, out string domain)
    {
        if (phoneNumberId is not null && _phoneNumberIds.TryGetValue(phoneNumberId, out domain!))
        {
            return true;
        }

        domain = string.Empty;
        return false;
    }

    /// <summary>The domain whose button prefix starts <paramref name="id"/>; the longest prefix wins.</summary>
    public bool TryDomainOfButton(string? id, out string domain, out string prefix)
    {
        if (id is not null)
        {
            foreach (var (candidate, owner) in _buttonPrefixes)
            {
                if (id.StartsWith(candidate, StringComparison.OrdinalIgnoreCase))
                {
                    domain = owner;
                    prefix = candidate;
                    return true;
                }
            }
        }

        domain = string.Empty;
        prefix = string.Empty;
        return false;
    }

    /// <summary>
    /// Builds and checks a topology. Returns the problems instead of throwing so configuration
    /// validation can report them all, each naming what is wrong.
    /// </summary>
    public static RouterTopology? TryCreate(
        IEnumerable<DomainSpec> domains,
        IReadOnlyDictionary<string, string> fieldUpstreams,
        string defaultFieldUpstream,
        string salt,
        out IReadOnlyList<string> problems)
    {
        var errors = new List<string>();
        var byName = new Dictionary<string, DomainSpec>(StringComparer.Ordinal);
        foreach (var domain in domains)
        {
            if (!byName.TryAdd(domain.Name, domain))
            {
                errors.Add($"domain '{domain.Name}' is configured twice");
            }
        }

        if (!byName.ContainsKey(FallbackDomain))
        {
            errors.Add($"the fallback domain '{FallbackDomain}' must be configured");
        }

        var phoneNumberIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var domain in byName.Values)
        {
            foreach (var id in domain.PhoneNumberIds)
            {
                if (phoneNumberIds.TryGetValue(id, out var owner) && owner != domain.Name)
                {
                    errors.Add($"phone number id '{id}' is listed for both {owner} and {domain.Name}");
                }

                phoneNumberIds.TryAdd(id, domain.Name);
            }
        }

        var prefixes = new List<(string Prefix, string Domain)>();
        foreach (var domain in byName.Values)
        {
            foreach (var prefix in domain.ButtonPrefixes.Where(static p => p.Length > 0))
            {
                var clash = prefixes.FirstOrDefault(p => string.Equals(p.Prefix, prefix, StringComparison.OrdinalIgnoreCase));
                if (clash.Prefix is not null && clash.Domain != domain.Name)
                {
                    errors.Add($"button prefix '{prefix}' is listed for both {clash.Domain} and {domain.Name}");
                    continue;
                }

                prefixes.Add((prefix, domain.Name));
            }
        }

        var keywords = KeywordMatcher.Build(
            byName.Values.Select(static d => new KeyValuePair<string, IEnumerable<string>>(d.Name, d.Keywords)),
            out var keywordConflicts);
        errors.AddRange(keywordConflicts);

        problems = errors;
        if (errors.Count > 0)
        {
            return null;
        }

        return new RouterTopology(
            byName.ToFrozenDictionary(StringComparer.Ordinal),
            phoneNumberIds.ToFrozenDictionary(StringComparer.Ordinal),
            [.. prefixes.OrderByDescending(static p => p.Prefix.Length)],
            keywords,
            fieldUpstreams.ToFrozenDictionary(StringComparer.Ordinal),
            defaultFieldUpstream,
            new Bucketing(salt));
    }
}
