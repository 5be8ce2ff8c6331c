using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;

namespace Cutover.Server.Tests.Hosting;

/// <summary>With a secret and nothing else to say, the probes answer as before: <c>/readyz</c> is the plain text <c>ready</c>.</summary>
public sealed class SecureSetupTests : RouterTest
{
    [Fact]
    public async Task Readyz_SignedAndLoopback_PlainReady()
    {
        using var response = await Router.Http.GetAsync("readyz", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task AdminStatus_SignedAndLoopback_NoWarnings()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/status");

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Empty(json.GetProperty("warnings").EnumerateArray());
    }
}
