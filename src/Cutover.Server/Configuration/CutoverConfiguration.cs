using System.Globalization;
using Cutover.Core.Routing;
using Cutover.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// Turns configuration (a <c>cutover.json</c>, <c>Cutover__…</c> environment variables, and in tests an
/// in-memory dictionary, later sources winning) into checked <see cref="CutoverOptions"/>. Used by the
/// server's options pipeline and by CLI verbs that read the config without a server.
/// </summary>
public static class CutoverConfiguration
{
    public const string Unified = RouterTopology.UnifiedUpstream;

    /// <summary>The largest Ingress:MaxBodyBytes allowed.</summary>
    public const int MaxBodyBytesLimit = 64 * 1024 * 1024;

    /// <summary>Why PostgreSQL with hashed user keys needs <c>Privacy:HashKey</c>, and how to make one.</summary>
    public const string PostgresNeedsHashKey =
        "Cutover:Privacy:HashKey is not set, and PostgreSQL needs it: every instance on the database must hash user keys and message ids "
        + "with the same key, and a key kept in the database would sit beside the hashes it protects. Make one (openssl rand -hex 24), "
        + "keep it in your secret store, and give it as \"HashKey\": \"env:CUTOVER_HASH_KEY\" (or set Privacy:UserKeys to raw). "
        + "A key an earlier version kept in the database (cutover_secrets) is deleted at the first start with a configured key.";

    /// <summary>Builds the configuration sources in order: file, environment, overrides.</summary>
    public static IConfigurationRoot Build(
        string? file, IEnumerable<KeyValuePair<string, string?>>? overrides = null, bool includeEnvironment = true)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        if (includeEnvironment)
        {
            builder.AddEnvironmentVariables();
        }

        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>Binds, applies defaults and resolves secrets. Binding errors become a validation exception naming key and value.</summary>
    public static void Populate(CutoverOptions options, IConfiguration configuration, Func<string, string?> environment)
    {
        var section = configuration.GetSection(CutoverOptions.SectionName);
        var typeErrors = ConfigurationTypeCheck.Check(section, typeof(CutoverOptions));
        if (typeErrors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CutoverOptions), typeErrors);
        }

        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CutoverOptions), [DescribeBindError(ex, configuration)]);
        }

        CutoverDefaults.Apply(options, section.GetSection(nameof(CutoverOptions.ProtectedDomains)).Exists());
        SecretResolver.Resolve(options, options.Problems, environment);
    }

    /// <summary>Reads and checks options from <paramref name="configuration"/>: the options, or every problem found.</summary>
    public static (CutoverOptions? Options, IReadOnlyList<string> Errors) Load(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        var options = new CutoverOptions();
        try
        {
            Populate(options, configuration, environment ?? Environment.GetEnvironmentVariable);
        }
        catch (OptionsValidationException ex)
        {
            return (null, [.. ex.Failures]);
        }

        var errors = Validate(options);
        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>Every problem of the options, each naming the key and (except for secrets) the value.</summary>
    /// <summary>
    /// Upstream and domain names travel in <c>X-Webhook-Domain</c>, metric labels, the decision log and the CLI's tables:
    /// letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, up to 64 characters.
    /// </summary>
    private static void CheckName(List<string> errors, string section, string name)
    {
        if (name.Length is 0 or > 64 || name.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            errors.Add($"{section}: the name '{name}' is not 1 to 64 letters, digits, '_', '-' or '.' "
                + "(names go into headers, metrics and logs)");
        }
    }

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    public static List<string> Validate(CutoverOptions o)
    {
        var errors = new List<string>(o.Problems);

        var (listen, listenProblems) = ListenAddresses.Parse(o.Listen);
        errors.AddRange(listenProblems.Select(static p => $"Cutover:Listen: {p} (example: http://127.0.0.1:8080)"));
        if (o.Admin.Tokens.Count == 0 && !o.Admin.AllowUnauthenticated
            && listen.FirstOrDefault(static a => !ListenAddresses.IsLoopback(a.Address)) is { Text: { } open })
        {
            // Without tokens the admin API trusts loopback callers; bound beyond loopback, anyone who reaches it could
            // change routing. Refused rather than warned about: a warning in a log nobody reads would not stop them.
            errors.Add($"Cutover:Listen: '{open}' is reachable from other machines and Cutover:Admin:Tokens is empty, so the admin API "
                + "would be open to anyone who reaches it: configure a token under Cutover:Admin:Tokens, or set "
                + "Cutover:Admin:AllowUnauthenticated to true if something in front of Cutover authenticates /admin");
        }

        foreach (var (name, upstream) in o.Upstreams)
        {
            var key = $"Cutover:Upstreams:{name}";
            CheckName(errors, "Cutover:Upstreams", name);
            if (string.IsNullOrWhiteSpace(upstream.Url))
            {
                errors.Add($"{key}:Url is missing: every upstream needs the URL webhooks are POSTed to");
            }
            else if (!IsHttpUrl(upstream.Url))
            {
                errors.Add($"{key}:Url: '{upstream.Url}' is not an absolute http:// or https:// URL");
            }

            if (upstream.TimeoutMs is < 1 or > 300_000)
            {
                errors.Add($"{key}:TimeoutMs: {upstream.TimeoutMs} is outside 1..300000");
            }

            if (upstream.HealthUrl is not null && !IsHttpUrl(upstream.HealthUrl))
            {
                errors.Add($"{key}:HealthUrl: '{upstream.HealthUrl}' is not an absolute http:// or https:// URL");
            }
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

        if (o.Store.Provider is not (StoreFactory.Sqlite or StoreFactory.Postgres))
        {
            errors.Add($"Cutover:Store:Provider: '{o.Store.Provider}' is not sqlite or postgres");
        }

        if (string.IsNullOrWhiteSpace(o.Store.ConnectionString))
        {
            errors.Add(o.Store.Provider == StoreFactory.Postgres
                ? "Cutover:Store:ConnectionString is empty (PostgreSQL example: Host=db;Database=cutover;Username=cutover, or env:NAME to keep the password out of the file)"
                : "Cutover:Store:ConnectionString is empty (SQLite example: Data Source=cutover.db)");
        }

        CheckRange(errors, "Cutover:Store:PollInterval", o.Store.PollInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10));

        if (o.Delivery.Mode == "queued")
        {
            errors.Add("Cutover:Delivery:Mode: 'queued' is not built yet; use direct");
        }
        else if (o.Delivery.Mode != "direct")
        {
            errors.Add($"Cutover:Delivery:Mode: '{o.Delivery.Mode}' is not direct or queued");
        }

        if (o.Privacy.UserKeys is not ("hashed" or "raw"))
        {
            errors.Add($"Cutover:Privacy:UserKeys: '{o.Privacy.UserKeys}' is not hashed or raw");
        }

        if (o.Privacy.HashKey is { Length: < 16 })
        {
            errors.Add("Cutover:Privacy:HashKey is shorter than 16 characters");
        }
        else if (o.Store.Provider == StoreFactory.Postgres && o.Privacy.UserKeys == "hashed" && o.Privacy.HashKey is null
            && !o.Problems.Exists(static p => p.StartsWith("Cutover:Privacy:HashKey", StringComparison.Ordinal)))
        {
            errors.Add(PostgresNeedsHashKey);
        }

        ValidateTokens(o.Admin.Tokens, errors);

        if (string.IsNullOrEmpty(o.Routing.Salt))
        {
            errors.Add("Cutover:Routing:Salt is empty: it must be a fixed string, set once before the rollout");
        }

        CheckRange(errors, "Cutover:Memory:Ttl", o.Memory.Ttl, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        if (o.Memory.Capacity is < 2 or > 10_000_000)
        {
            errors.Add($"Cutover:Memory:Capacity: {o.Memory.Capacity} is outside 2..10000000");
        }

        if (o.Memory.Share is not ("auto" or "on" or "off"))
        {
            errors.Add($"Cutover:Memory:Share: '{o.Memory.Share}' is not auto, on or off");
        }

        CheckRange(errors, "Cutover:Memory:SyncInterval", o.Memory.SyncInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
        CheckRange(errors, "Cutover:Memory:ShareQueueCapacity", o.Memory.ShareQueueCapacity, 1, 10_000_000);

        if (o.Ingress.MaxBodyBytes is < 1024 or > MaxBodyBytesLimit)
        {
            errors.Add($"Cutover:Ingress:MaxBodyBytes: {o.Ingress.MaxBodyBytes} is outside 1024..{MaxBodyBytesLimit} (Meta sends up to 3 MB)");
        }

        if (o.DecisionLog.QueueCapacity is < 1 or > 10_000_000)
        {
            errors.Add($"Cutover:DecisionLog:QueueCapacity: {o.DecisionLog.QueueCapacity} is outside 1..10000000");
        }

        if (o.DecisionLog.BatchSize < 1 || o.DecisionLog.BatchSize > Math.Max(1, o.DecisionLog.QueueCapacity))
        {
            errors.Add($"Cutover:DecisionLog:BatchSize: {o.DecisionLog.BatchSize} must be between 1 and QueueCapacity ({o.DecisionLog.QueueCapacity})");
        }

        CheckRange(errors, "Cutover:DecisionLog:FlushInterval", o.DecisionLog.FlushInterval, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        CheckRange(errors, "Cutover:Retention:Decisions", o.Retention.Decisions, TimeSpan.FromHours(1), TimeSpan.FromDays(3650));
        CheckRange(errors, "Cutover:Retention:Rollups", o.Retention.Rollups, TimeSpan.FromDays(1), TimeSpan.FromDays(3650));
        CheckRange(errors, "Cutover:Retention:Interval", o.Retention.Interval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        ValidateHealth(errors, o.Health, o.Handlers);
        ValidateRollout(errors, o.Rollout);
        for (var i = 0; i < o.Notifications.Urls.Count; i++)
        {
            if (!IsHttpUrl(o.Notifications.Urls[i]))
            {
                // The URL is a credential (a Slack webhook's path is the secret): say what is wrong without repeating it.
                errors.Add($"Cutover:Notifications:Urls:{i}: not an absolute http:// or https:// URL ({o.Notifications.Urls[i].Length} characters)");
            }
        }

        CheckRange(errors, "Cutover:Notifications:Attempts", o.Notifications.Attempts, 1, 20);
        CheckRange(errors, "Cutover:Notifications:FirstRetryDelay", o.Notifications.FirstRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        CheckRange(errors, "Cutover:Notifications:Timeout", o.Notifications.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

        if (errors.Count == 0)
        {
            TopologyFactory.TryCreate(o, out var problems);
            errors.AddRange(problems.Select(static p => "Cutover:Domains: " + p));
        }

        return errors;
    }

    private static void ValidateTokens(List<AdminTokenOptions> tokens, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var key = $"Cutover:Admin:Tokens:{i}";
            var token = tokens[i];
            if (string.IsNullOrWhiteSpace(token.Name))
            {
                errors.Add($"{key}:Name is missing: the name is the actor recorded in the audit trail");
            }
            else if (!names.Add(token.Name))
            {
                errors.Add($"{key}:Name: '{token.Name}' is used by two tokens");
            }

            if (token.Token is null)
            {
                if (!errors.Any(e => e.StartsWith(key + ":Token", StringComparison.Ordinal)))
                {
                    errors.Add($"{key}:Token is missing");
                }
            }
            else if (token.Token.Length < 16)
            {
                errors.Add($"{key}:Token is shorter than 16 characters");
            }
            else if (!secrets.Add(token.Token))
            {
                errors.Add($"{key}:Token is the same as another token's");
            }

            if (token.Role is not ("read" or "operate"))
            {
                errors.Add($"{key}:Role: '{token.Role}' is not read or operate");
            }
        }
    }

    private static void ValidateHealth(List<string> errors, HealthOptions h, HandlersOptions handlers)
    {
        CheckRange(errors, "Cutover:Health:Window", h.Window, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        CheckRange(errors, "Cutover:Health:RecentWindow", h.RecentWindow, TimeSpan.FromMinutes(1), h.Window);
        CheckRange(errors, "Cutover:Health:ErrorRateWarnPct", h.ErrorRateWarnPct, 0, 100);
        CheckRange(errors, "Cutover:Health:ErrorRateCriticalPct", h.ErrorRateCriticalPct, h.ErrorRateWarnPct, 100);
        CheckRange(errors, "Cutover:Health:P95WarnMs", h.P95WarnMs, 1, 600_000);
        CheckRange(errors, "Cutover:Health:P95CriticalMs", h.P95CriticalMs, h.P95WarnMs, 600_000);
        CheckRange(errors, "Cutover:Health:MinRequests", h.MinRequests, 1, 100_000_000);
        CheckRange(errors, "Cutover:Health:MinErrors", h.MinErrors, 1, 1_000_000);
        CheckRange(errors, "Cutover:Health:SplitTolerancePoints", h.SplitTolerancePoints, 0.1, 50);
        CheckRange(errors, "Cutover:Health:Alpha", h.Alpha, 1e-6, 0.2);
        CheckRange(errors, "Cutover:Health:LatencyRatio", h.LatencyRatio, 1, 10);
        CheckRange(errors, "Cutover:Health:LatencySlackMs", h.LatencySlackMs, 0, 60_000);
        CheckRange(errors, "Cutover:Health:LatencyMinRequests", h.LatencyMinRequests, 1, 100_000_000);
        CheckRange(errors, "Cutover:Health:HandlerFailureMinInvocations", h.HandlerFailureMinInvocations, 1, 1_000_000);
        CheckRange(errors, "Cutover:Health:ProbeInterval", h.ProbeInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(errors, "Cutover:Health:ProbeTimeout", h.ProbeTimeout, TimeSpan.FromMilliseconds(100), h.ProbeInterval);
        CheckRange(errors, "Cutover:Health:ProbeFailures", h.ProbeFailures, 1, 100);
        // RFC 7230 token characters: anything else is not a header name an upstream could send.
        if (string.IsNullOrEmpty(handlers.Header)
            || !handlers.Header.All(static c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
        {
            errors.Add($"Cutover:Handlers:Header: '{handlers.Header}' is not an HTTP header name");
        }

        for (var i = 0; i < handlers.Expected.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(handlers.Expected[i]))
            {
                errors.Add($"Cutover:Handlers:Expected:{i}: a handler name is empty");
            }
        }
    }

    private static void ValidateRollout(List<string> errors, RolloutOptions r)
    {
        if (r.Mode is not ("manual" or "auto"))
        {
            errors.Add($"Cutover:Rollout:Mode: '{r.Mode}' is not one of manual, auto");
        }

        if (r.OnCritical is not ("zero" or "step_back"))
        {
            errors.Add($"Cutover:Rollout:OnCritical: '{r.OnCritical}' is not one of zero, step_back");
        }

        CheckRange(errors, "Cutover:Rollout:EvaluationInterval", r.EvaluationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        decimal previous = 0;
        for (var i = 0; i < r.Steps.Count; i++)
        {
            var step = r.Steps[i];
            var key = $"Cutover:Rollout:Steps:{i}";
            if (step.Percent <= previous || step.Percent > 100 || decimal.Round(step.Percent, 2) != step.Percent)
            {
                errors.Add($"{key}:Percent: {step.Percent.ToString(CultureInfo.InvariantCulture)} must be above the previous step's "
                    + $"{previous.ToString(CultureInfo.InvariantCulture)}, at most 100, with at most two decimals");
            }

            CheckRange(errors, $"{key}:Soak", step.Soak, TimeSpan.Zero, TimeSpan.FromDays(90));
            CheckRange(errors, $"{key}:MinRequests", step.MinRequests, 0, 1_000_000_000);
            previous = Math.Max(previous, step.Percent);
        }
    }

    private static void CheckRange(List<string> errors, string key, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            errors.Add($"{key}: {value.ToString(CultureInfo.InvariantCulture)} is outside "
                + $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static void CheckRange(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key}: {value.ToString("c", CultureInfo.InvariantCulture)} is outside "
                + $"{min.ToString("c", CultureInfo.InvariantCulture)}..{max.ToString("c", CultureInfo.InvariantCulture)}");
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string DescribeBindError(InvalidOperationException ex, IConfiguration configuration)
    {
        // The binder says "Failed to convert configuration value at 'Cutover:X' to type 'System.Int32'."
        var message = ex.Message;
        var start = message.IndexOf(" at '", StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = message.IndexOf('\'', start + 5);
            if (end > start)
            {
                var key = message[(start + 5)..end];
                var value = configuration[key];
                var type = message.Contains("'System.Int32'", StringComparison.Ordinal) ? "a whole number"
                    : message.Contains("'System.TimeSpan'", StringComparison.Ordinal) ? "a duration such as 00:30:00"
                    : message.Contains("'System.Boolean'", StringComparison.Ordinal) ? "true or false"
                    : "of the right type";
                return $"{key}: '{value}' is not {type}";
            }
        }

        return message;
    }
}
