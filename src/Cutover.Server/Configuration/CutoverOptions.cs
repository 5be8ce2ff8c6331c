namespace Cutover.Server.Configuration;

/// <summary>
/// The <c>Cutover</c> section of <c>cutover.json</c> (or <c>Cutover__…</c> environment variables).
/// Key names are part of the contract in DESIGN.md; <c>examples/cutover.json</c> documents each one.
/// </summary>
public sealed class CutoverOptions
{
    public const string SectionName = "Cutover";

    /// <summary>Where the server listens. Default <c>http://127.0.0.1:8080</c>.</summary>
    public string Listen { get; set; } = CutoverDefaults.Listen;

    /// <summary>Meta app secret; when set, every POST must carry a valid <c>X-Hub-Signature-256</c>. May be <c>env:NAME</c>.</summary>
    public string? AppSecret { get; set; }

    /// <summary>The token Meta echoes in the GET verify handshake. May be <c>env:NAME</c>.</summary>
    public string? VerifyToken { get; set; }

    public Dictionary<string, UpstreamOptions> Upstreams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Domains that are never routed to unified. Default mobility, profile, insurance.</summary>
    public List<string> ProtectedDomains { get; set; } = [];

    public StoreOptions Store { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public PrivacyOptions Privacy { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public Dictionary<string, DomainOptions> Domains { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Upstream name per non-<c>messages</c> field (account_update, calls, …); others go to <c>default</c>.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    public RoutingOptions Routing { get; set; } = new();

    public MemoryOptions Memory { get; set; } = new();

    public IngressOptions Ingress { get; set; } = new();

    public DecisionLogOptions DecisionLog { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public HealthOptions Health { get; set; } = new();

    public HandlersOptions Handlers { get; set; } = new();

    public RolloutOptions Rollout { get; set; } = new();

    public NotificationsOptions Notifications { get; set; } = new();

    /// <summary>Problems found while reading (unresolvable <c>env:</c> secrets); reported by validation. Not bound.</summary>
    internal List<string> Problems { get; } = [];
}
