using System.Net;
using System.Net.Http.Headers;
using Cutover.Server.Tests.Support;

namespace Cutover.Server.Tests.Admin;

/// <summary><c>/admin/events</c> is a read endpoint: with tokens configured, it needs one.</summary>
public sealed class DashboardEventsWithTokensTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings) => WithTokens(settings);

    [Fact]
    public async Task Events_WithoutToken_Refused401()
    {
        using var response = await Router.Http.GetAsync("admin/events", HttpCompletionOption.ResponseHeadersRead, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Events_WithReadToken_Streams()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);

        using var response = await Router.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(Cancel));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var change = await events.NextAsync("change", TimeSpan.FromSeconds(20));
        Assert.True(change.GetProperty("store_available").GetBoolean());
    }

    [Fact]
    public async Task Dashboard_WithoutToken_PageServed()
    {
        // The page holds no data: it asks for the token and reads with it.
        using var response = await Router.Http.GetAsync("dashboard", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
