using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;

namespace Cutover.Server.Tests.Admin;

/// <summary><c>Admin:AllowUnauthenticated</c> with no tokens: callers from anywhere are answered, and it is said everywhere.</summary>
public sealed class AllowUnauthenticatedTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Cutover:Admin:AllowUnauthenticated"] = "true";

    [Fact]
    public async Task Change_ThroughAProxy_AnsweredAsUnauthenticatedAndWarnedInStatus()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "admin/routing")
        {
            Content = new StringContent("""{"percent": 10, "reason": "through the authenticating proxy"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");

        using var response = await Router.Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("unauthenticated", body.GetProperty("events")[0].GetProperty("actor").GetString());
        var warnings = body.GetProperty("status").GetProperty("warnings").EnumerateArray().Select(static w => w.GetString()).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("Cutover:Admin:AllowUnauthenticated is true", warning);
    }

    [Fact]
    public async Task Change_FromLoopbackDirectly_StillActorLocal()
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/disable", """{"reason": "on the box"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("local", body.GetProperty("events")[0].GetProperty("actor").GetString());
    }
}
