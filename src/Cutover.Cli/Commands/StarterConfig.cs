namespace Cutover.Cli.Commands;

/// <summary>The configuration <c>cutover init</c> writes: every section a first deployment needs, commented.</summary>
/// <remarks>
/// JSON with <c>//</c> comments: the configuration's JSON reader skips comments (and trailing commas), so the file
/// explains itself where it is edited. Secrets are <c>env:NAME</c> references only, so it can be committed as written.
/// A test loads it with the variables of <see cref="Variables"/> set, so it cannot drift from what start-up accepts.
/// </remarks>
internal static class StarterConfig
{
    /// <summary>The environment variables the file's <c>env:NAME</c> references name, in the order it names them.</summary>
    public static readonly string[] Variables = ["META_APP_SECRET", "META_VERIFY_TOKEN", "CUTOVER_HASH_KEY", "CUTOVER_TOKEN_ADMIN"];

    public const string Text = """
        // Cutover's configuration, written by `cutover init`. Every key, its default and its limits:
        // docs/configuration.md. Keys left out keep their defaults; a misspelt key stops start-up.
        //
        // No secret is written here: a value "env:NAME" is read from the environment variable NAME
        // at start-up, and start-up stops, naming the key, when it is not set. Before
        // `cutover serve --config cutover.json`:
        //
        //   export META_APP_SECRET=...       # the Meta app's secret (App settings > Basic)
        //   export META_VERIFY_TOKEN=...     # what you type in Meta's "Verify token" box
        //   export CUTOVER_HASH_KEY=...      # 16+ characters, kept for good: openssl rand -hex 32
        //   export CUTOVER_TOKEN_ADMIN=...   # 16+ characters: openssl rand -hex 32; the CLI sends it
        //                                    # as --token or CUTOVER_ADMIN_TOKEN
        {
          "Cutover": {
            // Keep it on loopback and put a TLS proxy in front. Off loopback, Admin:Tokens is required.
            "Listen": "http://127.0.0.1:8080",

            // Without AppSecret no webhook signature is checked (start-up warns); without
            // VerifyToken Meta's verification of /webhook is refused.
            "AppSecret": "env:META_APP_SECRET",
            "VerifyToken": "env:META_VERIFY_TOKEN",

            // Placeholders: put your handlers' URLs here. "unified" is the new handler; each domain
            // has its legacy one under its own name; "default" also takes what no domain claims.
            "Upstreams": {
              "unified":     { "Url": "https://handlers.example/wa-webhook-unified", "TimeoutMs": 10000 },
              "jobs":        { "Url": "https://handlers.example/wa-webhook-jobs" },
              "marketplace": { "Url": "https://handlers.example/wa-webhook-marketplace" },
              "property":    { "Url": "https://handlers.example/wa-webhook-property" },
              "mobility":    { "Url": "https://handlers.example/wa-webhook-mobility" },
              "profile":     { "Url": "https://handlers.example/wa-webhook-profile" },
              "insurance":   { "Url": "https://handlers.example/wa-webhook-insurance" },
              "default":     { "Url": "https://handlers.example/wa-webhook-default" }
            },

            // Always routed to legacy, whatever the percent.
            "ProtectedDomains": [ "mobility", "profile", "insurance" ],

            // One SQLite file, relative to the current directory. For several instances use
            // PostgreSQL: "Provider": "postgres", "ConnectionString": "env:CUTOVER_PG" (docs/postgres.md).
            "Store": { "Provider": "sqlite", "ConnectionString": "Data Source=cutover.db" },

            // direct: forward while Meta waits. queued: store, answer Meta at once, deliver with
            // retries and dead letters (docs/delivery.md).
            "Delivery": { "Mode": "direct" },

            // Phone numbers and message ids are stored as keyed hashes. Keep the key: a new one
            // makes earlier records unmatchable.
            "Privacy": { "UserKeys": "hashed", "HashKey": "env:CUTOVER_HASH_KEY" },

            // Tokens for /admin and the CLI: "read" looks, "operate" changes routing.
            "Admin": {
              "Tokens": [
                { "Name": "admin", "Token": "env:CUTOVER_TOKEN_ADMIN", "Role": "operate" }
              ]
            },

            // manual: you move the percent (cutover set, rollout start/promote). A critical health
            // check sends the rollout back to zero.
            "Rollout": { "Mode": "manual", "OnCritical": "zero" }
          }
        }

        """;
}
