using Cutover.Cli.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Cli.Tests;

/// <summary>
/// <c>--url</c> at a plain web server on loopback (real Kestrel, port 0) that answers every path the same: the CLI says
/// the address is not a Cutover server and what it answered, exit 69, whatever the status.
/// </summary>
public sealed class NotCutoverServerTests
{
    [Theory]
    [InlineData(404, "text/html", "<html><body><h1>Not Found</h1></body></html>", "it answered 404 Not Found, text/html: <html><body><h1>Not Found</h1></body></html>")]
    [InlineData(200, "text/html", "<!doctype html>\n<html>\n  <title>Welcome to nginx!</title>", "it answered 200 OK, text/html: <!doctype html> <html> <title>Welcome to nginx!</title>")]
    [InlineData(200, "text/plain", "hello", "it answered 200 OK, text/plain: hello")]
    [InlineData(200, "application/json", "{\"ok\":", "it answered 200 OK, application/json: {\"ok\":")]
    [InlineData(403, "text/plain", "Forbidden", "it answered 403 Forbidden, text/plain: Forbidden")]
    [InlineData(404, null, "", "it answered 404 Not Found, an empty body")]
    public async Task Status_AtAPlainWebServer_Exit69_NamingTheUrlAndWhatItAnswered(int status, string? type, string body, string answered)
    {
        await using var server = await PlainServer.StartAsync(status, type, body);

        var run = await CliRun.InvokeAsync("status", "--url", server.Url, "--token", "any-token-0123456789");

        Assert.Equal(69, run.ExitCode);
        Assert.Equal($"cutover: {server.Url} is not a Cutover server ({answered})\n", run.Error.ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task Set_AtAPlainWebServer_SaysSoOnce_Exit69()
    {
        await using var server = await PlainServer.StartAsync(404, "text/html", "<p>nope</p>");

        var run = await CliRun.InvokeAsync("set", "10", "--reason", "x", "--url", server.Url);

        Assert.Equal(69, run.ExitCode);
        Assert.EndsWith($"cutover: {server.Url} is not a Cutover server (it answered 404 Not Found, text/html: <p>nope</p>)\n", run.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task WhatItAnswered_ControlCharactersReplaced_AndCut()
    {
        await using var server = await PlainServer.StartAsync(200, "text/plain", "\u001b]0;owned\u0007" + new string('x', 200));

        var run = await CliRun.InvokeAsync("status", "--url", server.Url);

        Assert.Equal(69, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Error);
        Assert.DoesNotContain('\u0007', run.Error);
        Assert.Contains("text/plain: ?]0;owned?xxxx", run.Error);
        Assert.Contains("x…)", run.Error);
    }

    /// <summary>A web server that is not Cutover: every request gets the same status, type and body.</summary>
    private sealed class PlainServer(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public static async Task<PlainServer> StartAsync(int status, string? type, string body)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.Run(async context =>
            {
                context.Response.StatusCode = status;
                if (type is not null)
                {
                    context.Response.ContentType = type;
                }

                await context.Response.WriteAsync(body);
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new PlainServer(app, address + "/");
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
