namespace Cutover.Server.Configuration;

/// <summary>
/// Every default of the configuration in one place (the health thresholds' are Core's <see cref="Core.Health.HealthDefaults"/>):
/// limits, and the domains of the runbooks with their button prefixes and keywords (English, French, Kinyarwanda).
/// </summary>
public static class CutoverDefaults
{
    public const string Listen = "http://127.0.0.1:8080";
    public const int UpstreamTimeoutMs = 10_000;
    public const StoreProvider StoreProvider = Configuration.StoreProvider.Sqlite;
    public const string StoreConnectionString = "Data Source=cutover.db";
    public static readonly TimeSpan StorePollInterval = TimeSpan.FromSeconds(1);
    public const DeliveryMode DeliveryMode = Configuration.DeliveryMode.Direct;
    public const int DeliveryWorkers = 64;
    public const int DeliveryConcurrencyPerUpstream = 32;
    public static readonly TimeSpan DeliveryLease = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DeliveryPollInterval = TimeSpan.FromMilliseconds(250);
    public const int DeliveryCommitMaxGroup = 64;
    public static readonly TimeSpan DeliveryCommitLinger = TimeSpan.FromMilliseconds(2);
    public static readonly TimeSpan DeliveryDedupWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan DeliveryKeepDelivered = TimeSpan.FromDays(1);
    public const int DeliveryBreakAfterFailures = 5;
    public static readonly TimeSpan DeliveryBreakDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DeliveryBacklogWarnAge = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DeliveryBacklogCriticalAge = TimeSpan.FromMinutes(10);
    public const int DeliveryDeadLetterCritical = 10;
    public const UserKeysMode PrivacyUserKeys = UserKeysMode.Hashed;
    public const string Salt = "cutover-v1";
    public static readonly TimeSpan MemoryTtl = TimeSpan.FromMinutes(30);
    public const int MemoryCapacity = 200_000;
    public static readonly TimeSpan MemoryConversationWindow = TimeSpan.FromHours(24);
    public const MemoryShareMode MemoryShare = MemoryShareMode.Auto;
    public static readonly TimeSpan MemorySyncInterval = TimeSpan.FromMilliseconds(500);
    public const int MemoryShareQueueCapacity = 65_536;
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>The largest <c>Ingress:MaxBodyBytes</c> allowed; Kestrel's own limit for every other endpoint sits just above.</summary>
    public const int MaxBodyBytesLimit = 64 * 1024 * 1024;

    public const int DecisionQueueCapacity = 65_536;
    public const int DecisionBatchSize = 1_000;
    public static readonly TimeSpan DecisionFlushInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan RetentionDecisions = TimeSpan.FromDays(7);
    public static readonly TimeSpan RetentionRollups = TimeSpan.FromDays(90);
    public static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    // The health thresholds' defaults are Core's (Cutover.Core.Health.HealthDefaults); these are the server's own.
    public static readonly TimeSpan HealthWindow = TimeSpan.FromHours(1);
    public static readonly TimeSpan HealthRecentWindow = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    public const int ProbeFailures = 2;
    public static readonly TimeSpan RolloutEvaluationInterval = TimeSpan.FromSeconds(30);

    /// <summary>Every 2 s: with the decision log flushed every 50 ms, a critical fault is seen within about 2 s of crossing the guards.</summary>
    public static readonly TimeSpan RolloutFastCheckInterval = TimeSpan.FromSeconds(2);
    public const bool RolloutGuardAfterComplete = true;
    public const int NotificationAttempts = 6;
    public static readonly TimeSpan NotificationFirstRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan NotificationTimeout = TimeSpan.FromSeconds(5);

    public static readonly string[] ProtectedDomains = ["mobility", "profile", "insurance"];

    /// <summary>The domains a new configuration starts with.</summary>
    public static IReadOnlyDictionary<string, DomainOptions> Domains { get; } = new Dictionary<string, DomainOptions>(StringComparer.Ordinal)
    {
        ["jobs"] = Domain(
            ["job_", "jobs_"],
            en: ["job", "jobs", "hiring", "hire", "apply", "career", "vacancy", "vacancies", "employment", "employer",
                 "recruitment", "internship", "cv", "resume", "salary"],
            fr: ["emploi", "travail", "boulot", "embauche", "recrutement", "postuler", "candidature", "carrière", "salaire"],
            rw: ["akazi", "umukozi", "abakozi", "umushahara", "umwuga"]),
        ["marketplace"] = Domain(
            ["mkt_", "market_", "shop_", "order_"],
            en: ["buy", "shop", "product", "order", "sell", "seller", "price", "purchase", "cart", "checkout", "catalog",
                 "catalogue", "marketplace", "market"],
            fr: ["acheter", "achat", "boutique", "magasin", "produit", "commande", "commander", "vendre", "vendeur", "prix",
                 "panier", "marché"],
            rw: ["kugura", "gura", "iduka", "igicuruzwa", "ibicuruzwa", "gutumiza", "kugurisha", "igiciro", "isoko"]),
        ["property"] = Domain(
            ["prop_", "property_", "rent_"],
            en: ["property", "properties", "rent", "rental", "renting", "apartment", "house", "housing", "landlord", "tenant",
                 "lease", "bedroom", "real estate"],
            fr: ["propriété", "immobilier", "louer", "loyer", "appartement", "maison", "logement", "locataire", "bailleur"],
            rw: ["inzu", "gukodesha", "ubukode", "icyumba", "ikibanza", "umutungo"]),
        ["mobility"] = Domain(
            ["ride_", "mob_"],
            en: ["ride", "taxi", "driver", "pickup", "trip", "moto", "cab", "passenger", "drop off"],
            fr: ["trajet", "chauffeur", "voiture", "déplacement", "passager"],
            rw: ["urugendo", "umushoferi", "imodoka", "motari", "tagisi", "gutwara"]),
        ["profile"] = Domain(
            ["profile_"],
            en: ["profile", "account", "username", "password", "settings", "register", "registration", "login"],
            fr: ["profil", "compte", "paramètres", "inscription", "mot de passe"],
            rw: ["umwirondoro", "konti", "kwiyandikisha", "ijambo ry'ibanga"]),
        ["insurance"] = Domain(
            ["ins_", "insurance_"],
            en: ["insurance", "insure", "insured", "policy", "claim", "premium", "coverage"],
            fr: ["assurance", "assurer", "sinistre", "couverture"],
            rw: ["ubwishingizi", "kwishingira", "impanuka"]),
        ["default"] = new DomainOptions { ButtonPrefixes = [], PhoneNumberIds = [], Keywords = [] },
    };

    /// <summary>
    /// Fills in what the configuration left out. A key that is present replaces the default whole (a
    /// domain's <c>Keywords</c> replaces all its languages), so what an operator writes is what runs.
    /// </summary>
    public static void Apply(CutoverOptions options, bool protectedDomainsConfigured)
    {
        if (!protectedDomainsConfigured && options.ProtectedDomains.Count == 0)
        {
            options.ProtectedDomains.AddRange(ProtectedDomains);
        }

        foreach (var (name, defaults) in Domains)
        {
            if (!options.Domains.TryGetValue(name, out var domain))
            {
                options.Domains[name] = domain = new DomainOptions();
            }

            domain.PhoneNumberIds ??= [.. defaults.PhoneNumberIds!];
            domain.ButtonPrefixes ??= [.. defaults.ButtonPrefixes!];
            domain.Keywords ??= defaults.Keywords!.ToDictionary(static k => k.Key, static k => k.Value.ToList(), StringComparer.Ordinal);
        }

        foreach (var (name, domain) in options.Domains)
        {
            domain.Upstream ??= name;
            domain.PhoneNumberIds ??= [];
            domain.ButtonPrefixes ??= [];
            domain.Keywords ??= [];
        }
    }

    private static DomainOptions Domain(List<string> prefixes, List<string> en, List<string> fr, List<string> rw) => new()
    {
        PhoneNumberIds = [],
        ButtonPrefixes = prefixes,
        Keywords = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["en"] = en, ["fr"] = fr, ["rw"] = rw },
    };
}
