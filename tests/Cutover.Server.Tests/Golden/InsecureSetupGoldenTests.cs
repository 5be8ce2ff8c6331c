using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Cutover.Testing.Golden;

namespace Cutover.Server.Tests.Golden;

/// <summary>
/// Pins the answers that only other set-ups give: the security warnings (no app secret, an admin API without tokens)
/// in <c>/readyz</c>, <c>GET /</c> and status; the actors <c>local</c> and <c>unauthenticated</c>; the refusal of a
/// proxied request when no token is configured; and what <c>/readyz</c>, <c>GET /</c> and the admin API answer while
/// the store is down. Golden files in <c>Golden/Insecure/</c> and <c>Golden/WithoutTokens/</c>.
/// </summary>
/// <remarks>Rewrite after a deliberate change with <c>CUTOVER_UPDATE_GOLDEN=1</c> (see tests/README.md).</remarks>
public sealed class InsecureSetupGoldenTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Insecure_WarningsActorsAndStoreOutage_MatchTheirGoldenFiles()
    {
        FaultyStore? faulty = null;
        await using var golden = await GoldenRouter.StartAsync(static s =>
        {
            s.Remove("Cutover:AppSecret");
            RemoveTokens(s);
            s["Cutover:Admin:AllowUnauthenticated"] = "true";
        }, FaultyStore.Install(s => faulty = s), Cancel);
        var files = GoldenFiles.For(typeof(InsecureSetupGoldenTests).Assembly, "Insecure");

        await CheckAsync(files, golden, "01-readyz-warnings", HttpMethod.Get, "readyz");
        await CheckAsync(files, golden, "02-root-warnings", HttpMethod.Get, "");
        await CheckAsync(files, golden, "03-status-warnings", HttpMethod.Get, "admin/status");
        golden.Advance(TimeSpan.FromSeconds(1));
        await CheckAsync(files, golden, "04-set-as-local", HttpMethod.Put, "admin/routing", """{"percent": 10, "reason": "from this host"}""");
        golden.Advance(TimeSpan.FromSeconds(1));
        await CheckAsync(files, golden, "05-set-through-a-proxy", HttpMethod.Put, "admin/routing", """{"percent": 20, "reason": "through the proxy"}""",
            proxied: true);

        // The store stops answering: nothing runs on its own on the fake clock, so the ping of /readyz is the one failure.
        // Five seconds on, so that GET / judges afresh rather than reusing its last report (it keeps one for 5 s).
        golden.Advance(TimeSpan.FromSeconds(5));
        faulty!.Down = true;
        await CheckAsync(files, golden, "06-readyz-store-down", HttpMethod.Get, "readyz");
        await CheckAsync(files, golden, "07-health-store-down", HttpMethod.Get, "admin/health");
        await CheckAsync(files, golden, "08-root-store-down", HttpMethod.Get, "");
        await CheckAsync(files, golden, "09-set-store-down", HttpMethod.Put, "admin/routing", """{"percent": 30, "reason": "while down"}""");
        faulty.Down = false;
        await CheckAsync(files, golden, "10-readyz-store-back", HttpMethod.Get, "readyz");

        files.Verify();
    }

    [Fact]
    public async Task WithoutTokens_ProxiedRequestsRefusedLocalOnesServed_MatchTheirGoldenFiles()
    {
        await using var golden = await GoldenRouter.StartAsync(RemoveTokens, cancellationToken: Cancel);
        var files = GoldenFiles.For(typeof(InsecureSetupGoldenTests).Assembly, "WithoutTokens");

        await CheckAsync(files, golden, "01-status-via-proxy", HttpMethod.Get, "admin/status", proxied: true);
        await CheckAsync(files, golden, "02-status-forwarded-for", HttpMethod.Get, "admin/status", header: ("X-Forwarded-For", "203.0.113.7"));
        golden.Advance(TimeSpan.FromSeconds(1));
        await CheckAsync(files, golden, "03-set-as-local", HttpMethod.Put, "admin/routing", """{"percent": 10, "reason": "from this host"}""");
        await CheckAsync(files, golden, "04-status-local", HttpMethod.Get, "admin/status");

        files.Verify();
    }

    private static void RemoveTokens(Dictionary<string, string?> settings)
    {
        foreach (var key in settings.Keys.Where(static k => k.StartsWith("Cutover:Admin:Tokens:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }
    }

    private static async Task CheckAsync(
        GoldenFiles files, GoldenRouter golden, string name, HttpMethod method, string path, string? json = null, bool proxied = false,
        (string Name, string Value)? header = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (proxied)
        {
            request.Headers.Add("Via", "1.1 proxy.example");
        }

        if (header is { } extra)
        {
            request.Headers.Add(extra.Name, extra.Value);
        }

        using var response = await golden.Router.Http.SendAsync(request, Cancel);
        await files.CheckAsync(name, response);
    }
}
