using System.Net;
using System.Net.Sockets;
using System.Text;
using Cutover.Server.Hosting;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Hosting;

/// <summary>A path that is not already normal is refused before routing: a proxy that exposes only /webhook cannot be walked past.</summary>
public sealed class PathGuardTests : RouterTest
{
    [Theory]
    [InlineData("/webhook/../metrics", "a '..' segment")]
    [InlineData("/webhook/%2e%2e/metrics", "an encoded '..' segment (%2E)")]
    [InlineData("/webhook/%2E%2E/metrics", "an encoded '..' segment (%2E)")]
    [InlineData("/webhook/.%2e/metrics", "an encoded '..' segment (%2E)")]
    [InlineData("/admin/../metrics", "a '..' segment")]
    [InlineData("/webhook/./../metrics", "a '.' segment")]
    [InlineData("/webhook/..%2fmetrics", "an encoded slash (%2F)")]
    [InlineData("/webhook/..%5Cmetrics", "an encoded backslash (%5C)")]
    [InlineData("/webhook/..\\metrics", "a backslash")]
    public async Task RawRequest_PathNotNormal_400WithoutReachingAnyEndpoint(string target, string problem)
    {
        // Something to leak: with a webhook counted, /metrics has Cutover's series.
        using (var webhook = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job"))))
        {
            Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        }

        var (status, response) = await RawGetAsync(target);

        Assert.True(status == 400, response);
        Assert.Contains("\"error\":\"path_not_normal\"", response);
        Assert.Contains(System.Text.Json.JsonSerializer.Serialize($"the request path has {problem}").Trim('"'), response);
        Assert.DoesNotContain("cutover_webhook_requests", response);
    }

    [Theory]
    [InlineData("/metrics", 200)]
    [InlineData("/healthz", 200)]
    [InlineData("/webhook?hub.mode=subscribe&hub.verify_token=../x&hub.challenge=1.2", 403)]
    [InlineData("/admin/overrides/user.name", 404)]
    [InlineData("/admin/overrides/250788000001%40x", 404)]
    public async Task RawRequest_NormalPath_ServedAsBefore(string target, int expected)
    {
        var (status, response) = await RawGetAsync(target);

        Assert.True(status == expected, response);
        Assert.DoesNotContain("path_not_normal", response);
    }

    [Fact]
    public async Task Webhook_SignedPost_StillDelivered()
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Upstreams.Requests);
    }

    [Theory]
    [InlineData("/webhook", null)]
    [InlineData("/webhook?x=../../metrics", null)]
    [InlineData("/v1.2/a..b/...", null)]
    [InlineData("/a/%2e%2e%2e/b", null)]
    [InlineData("*", null)]
    [InlineData("/a/..", "the request path has a '..' segment; send the path as it is meant, without dot segments")]
    [InlineData("/a/.", "the request path has a '.' segment; send the path as it is meant, without dot segments")]
    [InlineData("/a/%2E", "the request path has an encoded '.' segment (%2E); send the path as it is meant, without dot segments")]
    [InlineData("/a%2Fb", "the request path has an encoded slash (%2F); send the path as it is meant, without encoded separators")]
    [InlineData("https://host.example/x/../y?z", "the request path has a '..' segment; send the path as it is meant, without dot segments")]
    public void Problem_RawTargets_AsExpected(string target, string? problem) => Assert.Equal(problem, PathGuard.Problem(target));

    /// <summary>A GET with the request target exactly as given: HttpClient would normalise the dots away itself.</summary>
    private async Task<(int Status, string Response)> RawGetAsync(string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Router.Address.Host, Router.Address.Port, Cancel);
        await using var stream = client.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {Router.Address.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Cancel);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        var status = int.Parse(response.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
