using System.Net;
using System.Text.Json;
using Cutover.Server.Health;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Health;

public sealed class ProbeTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Upstreams:unified:HealthUrl"] = Upstreams.HealthUrlOf("unified");
        settings["Cutover:Upstreams:jobs:HealthUrl"] = Upstreams.HealthUrlOf("jobs");
        settings["Cutover:Health:ProbeInterval"] = "01:00:00"; // the test probes by hand
    }

    [Fact]
    public async Task Probes_UnifiedFailingTwiceInARow_CriticalAndShownInStatus()
    {
        var probes = await StartupProbesDoneAsync();
        Upstreams.ProbeResponds("unified", 503);

        await probes.ProbeAllAsync(Cancel);
        var once = Check(await HealthAsync(), "probe.unified");
        await probes.ProbeAllAsync(Cancel);
        var health = await HealthAsync();
        using var status = await Router.AdminAsync(HttpMethod.Get, "admin/status");

        Assert.Equal("ok", once.GetProperty("state").GetString()); // one failure is a blip
        Assert.True(Check(health, "probe.unified").GetProperty("state").GetString() == "critical", Check(health, "probe.unified").ToString());
        Assert.Contains("answered 503", Check(health, "probe.unified").GetProperty("message").GetString());
        Assert.Equal("ok", Check(health, "probe.jobs").GetProperty("state").GetString());
        Assert.Equal("critical", health.GetProperty("state").GetString());
        var probe = JsonDocument.Parse(await status.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("probes").GetProperty("unified");
        Assert.Equal((false, 503, 2), (probe.GetProperty("ok").GetBoolean(), probe.GetProperty("status_code").GetInt32(), probe.GetProperty("failures_in_a_row").GetInt32()));
    }

    [Fact]
    public async Task Probes_LegacyFailing_WarnsAndRecoveryClearsIt()
    {
        var probes = await StartupProbesDoneAsync();
        Upstreams.ProbeResponds("jobs", 500);
        await probes.ProbeAllAsync(Cancel);
        await probes.ProbeAllAsync(Cancel);
        var failing = Check(await HealthAsync(), "probe.jobs");

        Upstreams.ProbeResponds("jobs", 200);
        await probes.ProbeAllAsync(Cancel);
        var recovered = Check(await HealthAsync(), "probe.jobs");

        Assert.Equal("warn", failing.GetProperty("state").GetString());
        Assert.Equal("ok", recovered.GetProperty("state").GetString());
    }

    [Fact]
    public void Probes_NotYetRun_InsufficientDataAndOnlyForUpstreamsWithAHealthUrl()
    {
        using var fresh = new ProbeService(Router.Service<Microsoft.Extensions.Options.IOptions<Cutover.Server.Configuration.CutoverOptions>>(), TimeProvider.System);

        var checks = fresh.Checks();

        Assert.Equal(["probe.jobs", "probe.unified"], checks.Select(static c => c.Name));
        Assert.All(checks, static c => Assert.Equal(Core.Health.HealthState.InsufficientData, c.State));
    }

    /// <summary>The service probes once at start; a test changing answers before that probe lands would race it.</summary>
    private async Task<ProbeService> StartupProbesDoneAsync()
    {
        var probes = Router.Service<ProbeService>();
        await Eventually.WaitAsync(() => probes.Results.Count == 2, TimeSpan.FromSeconds(10), "the start-up probes");
        return probes;
    }

    private async Task<JsonElement> HealthAsync()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
    }

    private static JsonElement Check(JsonElement health, string name) =>
        health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
