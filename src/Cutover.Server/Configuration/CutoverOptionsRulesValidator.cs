using System.Globalization;
using Cutover.Core.Routing;
using Cutover.Server.Rollout;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// The rules no annotation on a single key can state: between keys (a critical threshold against its warning one, a
/// domain's upstream among the upstreams, <c>Listen</c> with the admin tokens), across the entries of a list or a map
/// (steps rising, token names and tokens unique), and the entries of lists of plain values, one problem per entry.
/// Each problem starts with its key and says the value (never a secret's), and the other key it was held against.
/// </summary>
internal sealed class CutoverOptionsRulesValidator : IValidateOptions<CutoverOptions>
{
    /// <summary>Why PostgreSQL with hashed user keys needs <c>Privacy:HashKey</c>, and how to make one.</summary>
    public const string PostgresNeedsHashKey =
        "Cutover:Privacy:HashKey is not set, and PostgreSQL needs it: every instance on the database must hash user keys and message ids "
        + "with the same key, and a key kept in the database would sit beside the hashes it protects. Make one (openssl rand -hex 24), "
        + "keep it in your secret store, and give it as \"HashKey\": \"env:CUTOVER_HASH_KEY\" (or set Privacy:UserKeys to raw). "
        + "A key an earlier version kept in the database (cutover_secrets) is deleted at the first start with a configured key.";

    private const string Unified = RouterTopology.UnifiedUpstream;

    /// <summary>
    /// Upstream and domain names travel in <c>X-Webhook-Domain</c>, metric labels, the decision log and the CLI's tables:
    /// letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, up to 64 characters.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    public ValidateOptionsResult Validate(string? name, CutoverOptions options)
    {
        var errors = new List<string>();
        Listen(errors, options);
        Topology(errors, options);
        Store(errors, options);
        Delivery(errors, options);
        Tokens(errors, options.Admin.Tokens);
        DecisionLog(errors, options.DecisionLog);
        Health(errors, options.Health, options.Handlers);
        Rollout(errors, options.Rollout);
        Notifications(errors, options.Notifications);
        Telemetry(errors, options.Telemetry.Otlp);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Listen(List<string> errors, CutoverOptions o)
    {
        var (listen, problems) = ListenAddresses.Parse(o.Listen);
        errors.AddRange(problems.Select(static p => $"Cutover:Listen: {p} (example: http://127.0.0.1:8080)"));
        if (o.Admin.Tokens.Count == 0 && !o.Admin.AllowUnauthenticated
            && listen.FirstOrDefault(static a => !ListenAddresses.IsLoopback(a.Address)) is { Text: { } open })
        {
            // Without tokens the admin API trusts loopback callers; bound beyond loopback, anyone who reaches it could
            // change routing. Refused rather than warned about: a warning in a log nobody reads would not stop them.
            errors.Add($"Cutover:Listen: '{open}' is reachable from other machines and Cutover:Admin:Tokens is empty, so the admin API "
                + "would be open to anyone who reaches it: configure a token under Cutover:Admin:Tokens, or set "
                + "Cutover:Admin:AllowUnauthenticated to true if something in front of Cutover authenticates /admin");
        }
    }

    /// <summary>Names of upstreams and domains, and every name that refers to an upstream or a domain.</summary>
    private static void Topology(List<string> errors, CutoverOptions o)
    {
        foreach (var name in o.Upstreams.Keys)
        {
            CheckName(errors, "Cutover:Upstreams", name);
        }

        if (!o.Upstreams.ContainsKey(Unified))
        {
            errors.Add($"Cutover:Upstreams:{Unified}:Url is missing: the unified handler's URL is required");
        }

        foreach (var (name, domain) in o.Domains)
        {
            CheckName(errors, "Cutover:Domains", name);
            if (domain.Upstream is { } upstream && !o.Upstreams.ContainsKey(upstream))
            {
                errors.Add($"Cutover:Domains:{name}:Upstream: '{upstream}' is not configured under Cutover:Upstreams "
                    + $"(add Cutover:Upstreams:{upstream}:Url)");
            }
        }

        foreach (var (field, upstream) in o.Fields)
        {
            if (!o.Upstreams.ContainsKey(upstream))
            {
                errors.Add($"Cutover:Fields:{field}: '{upstream}' is not configured under Cutover:Upstreams");
            }
        }

        for (var i = 0; i < o.ProtectedDomains.Count; i++)
        {
            var name = o.ProtectedDomains[i];
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add($"Cutover:ProtectedDomains:{i} is empty: name a configured domain, or remove the entry");
            }
            else if (!o.Domains.ContainsKey(name))
            {
                errors.Add($"Cutover:ProtectedDomains:{i}: '{name}' is not a configured domain");
            }
        }
    }

    private static void CheckName(List<string> errors, string section, string name)
    {
        if (name.Length is 0 or > 64 || name.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            errors.Add($"{section}: the name '{name}' is not 1 to 64 letters, digits, '_', '-' or '.' "
                + "(names go into headers, metrics and logs)");
        }
    }

    private static void Store(List<string> errors, CutoverOptions o)
    {
        // The connection string is a secret (it may hold a password): said to be empty, never repeated.
        if (string.IsNullOrWhiteSpace(o.Store.ConnectionString))
        {
            errors.Add(o.Store.Provider == StoreProvider.Postgres
                ? "Cutover:Store:ConnectionString is empty (PostgreSQL example: Host=db;Database=cutover;Username=cutover, or env:NAME to keep the password out of the file)"
                : "Cutover:Store:ConnectionString is empty (SQLite example: Data Source=cutover.db)");
        }

        if (o.Store.Provider == StoreProvider.Postgres && o.Privacy.UserKeys == UserKeysMode.Hashed && o.Privacy.HashKey is null)
        {
            errors.Add(PostgresNeedsHashKey);
        }
    }

    /// <summary>The retry schedule as a whole, the lease against the upstreams' timeouts, the backlog thresholds' order.</summary>
    private static void Delivery(List<string> errors, CutoverOptions o)
    {
        var d = o.Delivery;
        if (d.RetryCap < d.RetryBase)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"Cutover:Delivery:RetryCap ({d.RetryCap:c}) must be at least Cutover:Delivery:RetryBase ({d.RetryBase:c})"));
        }

        if (d.Mode != DeliveryMode.Queued)
        {
            // Direct delivery reads none of the other keys: a lease or a backlog age it never uses must not stop it.
            return;
        }

        // A lease that ends while its attempt is still waiting for the upstream hands the update to another worker, which
        // delivers it a second time: the lease must outlast the slowest attempt, fallback included.
        var slowest = o.Upstreams.Count == 0 ? 0 : o.Upstreams.Values.Max(static u => u.TimeoutMs);
        if (d.Lease < TimeSpan.FromMilliseconds(2.0 * slowest))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"Cutover:Delivery:Lease ({d.Lease.TotalSeconds:0.###} s) must be at least twice the longest Cutover:Upstreams:*:TimeoutMs "
                + $"({slowest} ms): an attempt and its fallback must end before the lease does"));
        }

        if (d.BacklogCriticalAge < d.BacklogWarnAge)
        {
            errors.Add("Cutover:Delivery:BacklogCriticalAge must be at least Cutover:Delivery:BacklogWarnAge");
        }

        if (d.ConcurrencyPerUpstream > d.Workers)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"Cutover:Delivery:ConcurrencyPerUpstream ({d.ConcurrencyPerUpstream}) is more than Cutover:Delivery:Workers ({d.Workers})"));
        }

        if (d.DedupWindow < d.MaxAge)
        {
            errors.Add("Cutover:Delivery:DedupWindow must be at least Cutover:Delivery:MaxAge: an update still being retried must still be known");
        }
    }

    private static void Tokens(List<string> errors, List<AdminTokenOptions> tokens)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!string.IsNullOrWhiteSpace(token.Name) && !names.Add(token.Name))
            {
                errors.Add($"Cutover:Admin:Tokens:{i}:Name: '{token.Name}' is used by two tokens");
            }

            if (token.Token is not null && !secrets.Add(token.Token))
            {
                errors.Add($"Cutover:Admin:Tokens:{i}:Token is the same as another token's");
            }
        }
    }

    private static void DecisionLog(List<string> errors, DecisionLogOptions d)
    {
        if (d.BatchSize < 1 || d.BatchSize > Math.Max(1, d.QueueCapacity))
        {
            errors.Add($"Cutover:DecisionLog:BatchSize: {d.BatchSize} must be between 1 and QueueCapacity ({d.QueueCapacity})");
        }
    }

    private static void Health(List<string> errors, HealthOptions h, HandlersOptions handlers)
    {
        NotLonger(errors, "RecentWindow", h.RecentWindow, "Window", h.Window);
        NotBelow(errors, "ErrorRateCriticalPct", h.ErrorRateCriticalPct, "ErrorRateWarnPct", h.ErrorRateWarnPct);
        NotBelow(errors, "P95CriticalMs", h.P95CriticalMs, "P95WarnMs", h.P95WarnMs);
        NotLonger(errors, "ProbeTimeout", h.ProbeTimeout, "ProbeInterval", h.ProbeInterval);
        for (var i = 0; i < handlers.Expected.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(handlers.Expected[i]))
            {
                errors.Add($"Cutover:Handlers:Expected:{i}: a handler name is empty");
            }
        }
    }

    private static void NotBelow(List<string> errors, string key, double value, string floorKey, double floor)
    {
        if (value < floor)
        {
            errors.Add($"Cutover:Health:{key}: {ConfigKey.Format(value)} is below Cutover:Health:{floorKey} ({ConfigKey.Format(floor)})");
        }
    }

    private static void NotLonger(List<string> errors, string key, TimeSpan value, string ceilingKey, TimeSpan ceiling)
    {
        if (value > ceiling)
        {
            errors.Add($"Cutover:Health:{key}: {ConfigKey.Format(value)} is longer than Cutover:Health:{ceilingKey} ({ConfigKey.Format(ceiling)})");
        }
    }

    private static void Rollout(List<string> errors, RolloutOptions r)
    {
        decimal previous = 0;
        for (var i = 0; i < r.Steps.Count; i++)
        {
            var percent = r.Steps[i].Percent;
            if (percent <= previous || percent > 100 || decimal.Round(percent, 2) != percent)
            {
                errors.Add($"Cutover:Rollout:Steps:{i}:Percent: {percent.ToString(CultureInfo.InvariantCulture)} must be above the previous step's "
                    + $"{previous.ToString(CultureInfo.InvariantCulture)}, at most 100, with at most two decimals");
            }

            previous = Math.Max(previous, percent);
        }
    }

    private static void Notifications(List<string> errors, NotificationsOptions n)
    {
        for (var i = 0; i < n.Urls.Count; i++)
        {
            if (!HttpUrlAttribute.IsHttpUrl(n.Urls[i]))
            {
                // The URL is a credential (a Slack webhook's path is the secret): say what is wrong without repeating it.
                errors.Add($"Cutover:Notifications:Urls:{i}: not an absolute http:// or https:// URL ({n.Urls[i].Length} characters)");
            }
        }

        for (var i = 0; i < n.Events.Count; i++)
        {
            if (!RolloutEventKinds.Notifiable.Contains(n.Events[i], StringComparer.Ordinal))
            {
                errors.Add($"Cutover:Notifications:Events:{i}: '{n.Events[i]}' is not an event kind; the known kinds: "
                    + string.Join(", ", RolloutEventKinds.Notifiable));
            }
        }
    }

    private static void Telemetry(List<string> errors, OtlpOptions otlp)
    {
        if (otlp.Enabled && !HttpUrlAttribute.IsHttpUrl(otlp.Endpoint))
        {
            errors.Add($"Cutover:Telemetry:Otlp:Endpoint: '{otlp.Endpoint}' is not an absolute http:// or https:// URL "
                + "(example: http://127.0.0.1:4317; empty turns tracing off)");
        }

        if (otlp.ProtocolOrDefault is not (OtlpOptions.Grpc or OtlpOptions.HttpProtobuf))
        {
            errors.Add($"Cutover:Telemetry:Otlp:Protocol: '{otlp.Protocol}' is not {OtlpOptions.Grpc} or {OtlpOptions.HttpProtobuf}");
        }
    }
}
