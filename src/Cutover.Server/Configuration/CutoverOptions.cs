using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// The <c>Cutover</c> section of <c>cutover.json</c> (or <c>Cutover__…</c> environment variables).
/// Key names are part of the contract in DESIGN.md; docs/configuration.md documents each one. Single-key rules are the
/// annotations here and on the section types (checked by <see cref="CutoverOptionsFieldValidator"/>); rules across keys
/// are <see cref="CutoverOptionsRulesValidator"/>'s.
/// </summary>
public sealed class CutoverOptions
{
    public const string SectionName = "Cutover";

    /// <summary>Where the server listens. Default <c>http://127.0.0.1:8080</c>. Checked with the admin tokens, by the rules.</summary>
    public string Listen { get; set; } = CutoverDefaults.Listen;

    /// <summary>Meta app secret; when set, every POST must carry a valid <c>X-Hub-Signature-256</c>. May be <c>env:NAME</c>.</summary>
    [Secret]
    public string? AppSecret { get; set; }

    /// <summary>The token Meta echoes in the GET verify handshake. May be <c>env:NAME</c>.</summary>
    [Secret]
    public string? VerifyToken { get; set; }

    /// <summary>Each entry is checked by <see cref="UpstreamOptionsFieldValidator"/> (the generator does not walk a map).</summary>
    public Dictionary<string, UpstreamOptions> Upstreams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Domains that are never routed to unified. Default mobility, profile, insurance.</summary>
    public List<string> ProtectedDomains { get; set; } = [];

    [ValidateObjectMembers]
    public StoreOptions Store { get; set; } = new();

    [ValidateObjectMembers]
    public DeliveryOptions Delivery { get; set; } = new();

    [ValidateObjectMembers]
    public PrivacyOptions Privacy { get; set; } = new();

    [ValidateObjectMembers]
    public AdminOptions Admin { get; set; } = new();

    public Dictionary<string, DomainOptions> Domains { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Upstream name per non-<c>messages</c> field (account_update, calls, …); others go to <c>default</c>.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    [ValidateObjectMembers]
    public RoutingOptions Routing { get; set; } = new();

    [ValidateObjectMembers]
    public MemoryOptions Memory { get; set; } = new();

    [ValidateObjectMembers]
    public IngressOptions Ingress { get; set; } = new();

    [ValidateObjectMembers]
    public DecisionLogOptions DecisionLog { get; set; } = new();

    [ValidateObjectMembers]
    public RetentionOptions Retention { get; set; } = new();

    [ValidateObjectMembers]
    public HealthOptions Health { get; set; } = new();

    [ValidateObjectMembers]
    public HandlersOptions Handlers { get; set; } = new();

    [ValidateObjectMembers]
    public RolloutOptions Rollout { get; set; } = new();

    [ValidateObjectMembers]
    public NotificationsOptions Notifications { get; set; } = new();

    /// <summary>Checked by the rules (no annotation applies: an empty endpoint means off).</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>
    /// Problems found while reading (values of the wrong type, unresolvable <c>env:</c> secrets), reported first by
    /// validation; a later problem about the same key is not repeated. Not bound.
    /// </summary>
    internal List<string> Problems { get; } = [];
}
