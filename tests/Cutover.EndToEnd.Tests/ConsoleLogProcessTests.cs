using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.EndToEnd.Tests;

/// <summary>`cutover serve`'s console as an operator's terminal sees it: warned about an insecure set-up, and never fed control characters.</summary>
public sealed class ConsoleLogProcessTests : IAsyncLifetime
{
    private const string ReadToken = "e2e-read-token-0123456";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Serve_HostileNameQuotedInALogLine_EscapedOnOneLine_AndUnsignedWebhooksWarned()
    {
        // arrange: no AppSecret, and a token whose name (configuration is outside input too) carries an OSC title
        // sequence, a line break with a forged entry after it, and a NUL.
        var upstreams = new JsonObject();
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams[name] = new JsonObject { ["Url"] = _upstreams.UrlOf(name) };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["Upstreams"] = upstreams,
                ["Store"] = new JsonObject { ["ConnectionString"] = $"Data Source={Path.Combine(_directory.FullName, "cutover.db")}" },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(new JsonObject
                    {
                        ["Name"] = "reader\u001b]0;pwned\u0007\r\nwarn: Cutover.Server.Admin.AdminApi[5001] forged\0",
                        ["Token"] = ReadToken,
                        ["Role"] = "read",
                    }),
                },
            },
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        };
        var file = Path.Combine(_directory.FullName, "cutover.json");
        await File.WriteAllTextAsync(file, config.ToJsonString(), TestContext.Current.CancellationToken);
        await using var server = CutoverProcess.Start(_directory.FullName, "serve", "--config", file, "--listen", "http://127.0.0.1:0");
        var url = await server.ListeningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        // act: a change with the read token is refused, and the refusal (naming the token) is logged
        using var request = new HttpRequestMessage(HttpMethod.Post, "admin/disable") { Content = new StringContent("""{"reason": "try"}""") };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        await server.TerminateAsync(Timeout);

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var output = server.Output;
        Assert.Contains(
            "Admin request refused (403): token 'reader\\u001B]0;pwned\\u0007\\r\\nwarn: Cutover.Server.Admin.AdminApi[5001] forged\\u0000' has role read",
            output);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\0', output);
        Assert.DoesNotContain(output.Split('\n'), static line => line.StartsWith("warn: Cutover.Server.Admin.AdminApi[5001]", StringComparison.Ordinal));
        Assert.Contains("warn: Cutover.Server.Hosting.CutoverInitializer[1008] Insecure set-up: webhooks are not signed", output);
    }
}
