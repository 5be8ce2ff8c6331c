namespace Cutover.Server.Configuration;

/// <summary><c>Domains:&lt;name&gt;</c>: how a domain's updates are recognised and where its legacy traffic goes.</summary>
public sealed class DomainOptions
{
    /// <summary>The legacy upstream; default the upstream with the domain's name.</summary>
    public string? Upstream { get; set; }

    /// <summary>Business phone number ids that belong to this domain.</summary>
    public List<string>? PhoneNumberIds { get; set; }

    /// <summary>Prefixes of interactive reply ids and template button payloads (<c>job_</c> → jobs).</summary>
    public List<string>? ButtonPrefixes { get; set; }

    /// <summary>Keywords per language (<c>Keywords:en</c>, <c>Keywords:fr</c>, <c>Keywords:rw</c>), matched as whole words.</summary>
    public Dictionary<string, List<string>>? Keywords { get; set; }
}
