using System.Net;
using System.Text.Json;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Tests.Admin;

/// <summary>Every reason the admin API takes is held to one rule: required where it was, at most 1,000 characters, one line.</summary>
public sealed class ReasonLimitsTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Unsafe => ["ok\r\nforged: line", "\u001b]0;pwned\u0007", "nul\0byte"];

    /// <summary>Each endpoint that takes a reason: method, path, and the JSON body around the reason (or the query).</summary>
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "PUT", "admin/routing", """{"percent": 10, "reason": REASON}""" },
        { "POST", "admin/disable", """{"reason": REASON}""" },
        { "POST", "admin/enable", """{"reason": REASON}""" },
        { "PUT", "admin/overrides/250788000001", """{"route": "unified", "reason": REASON}""" },
        { "DELETE", "admin/overrides/250788000001?reason=QUERY", null },
        { "POST", "admin/rollout/start", """{"reason": REASON}""" },
        { "POST", "admin/rollout/pause", """{"reason": REASON}""" },
        { "POST", "admin/rollback", """{"to": 0, "reason": REASON}""" },
        { "POST", "admin/baseline", """{"window": "1h", "reason": REASON}""" },
    };

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _router = await RouterHarness.StartAsync(_upstreams, cancellationToken: Cancel,
            services: s => s.AddSingleton<ILoggerProvider>(_logs));
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task SetRouting_TenMegabyteReason_RefusedNoAuditRowNothingLogged()
    {
        var reason = new string('x', 10 * 1024 * 1024);

        using var response = await SendAsync("PUT", "admin/routing", """{"percent": 10, "reason": REASON}""", reason);

        var error = await ErrorAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("reason_invalid", error.Code);
        Assert.Contains("10,485,760 characters long; the limit is 1,000", error.Message);
        Assert.Equal(0m, _router.Service<RoutingStateHolder>().Current.State.Percent);
        Assert.Empty(await HistoryAsync());
        Assert.DoesNotContain(_logs.Entries, static e => e.Message.Contains("xxxxxxxxxx", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Unsafe))]
    public async Task SetRouting_ReasonWithControlCharacters_Refused400(string reason)
    {
        using var response = await SendAsync("PUT", "admin/routing", """{"percent": 10, "reason": REASON}""", reason);

        var error = await ErrorAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("reason_invalid", error.Code);
        Assert.Matches(@"^the reason has a control character \(U\+00(0D|1B|00)\) at position \d+; write it on one line without control characters$", error.Message);
        Assert.Empty(await HistoryAsync());
        Assert.DoesNotContain(_logs.Entries, static e => e.Message.Contains('\u001b') || e.Message.Contains('\0') || e.Message.Contains("forged"));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryEndpointTakingAReason_EscapeSequence_Refused400NothingRecorded(string method, string path, string? body)
    {
        using var response = await SendAsync(method, path, body, "\u001b]0;pwned\u0007 rollback now");

        var error = await ErrorAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {error}");
        Assert.Equal("reason_invalid", error.Code);
        Assert.Contains("(U+001B) at position 1", error.Message);
        Assert.Empty(await HistoryAsync());
        Assert.Null(await _router.Service<Store.ICutoverStore>().LatestBaselineAsync(Cancel));
    }

    [Fact]
    public async Task SetRouting_ReasonOfExactlyTheLimit_AcceptedAndKeptWhole()
    {
        var reason = string.Concat(Enumerable.Repeat("0123456789", 100));

        using var response = await SendAsync("PUT", "admin/routing", """{"percent": 10, "reason": REASON}""", reason);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await HistoryAsync());
        Assert.Equal(reason, stored.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("PUT", "admin/routing", """{"percent": 10}""")]
    [InlineData("POST", "admin/rollback", """{"to": 0}""")]
    [InlineData("POST", "admin/rollout/start", "{}")]
    public async Task NoReason_StillReasonRequired(string method, string path, string body)
    {
        using var response = await SendAsync(method, path, body, reason: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("reason_required", (await ErrorAsync(response)).Code);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, string? reason)
    {
        path = path.Replace("QUERY", Uri.EscapeDataString(reason ?? string.Empty), StringComparison.Ordinal);
        body = body?.Replace("REASON", JsonSerializer.Serialize(reason), StringComparison.Ordinal);
        return await _router.AdminAsync(new HttpMethod(method), path, body);
    }

    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Cancel);
        try
        {
            var json = JsonDocument.Parse(text).RootElement;
            return (json.GetProperty("error").GetString()!, json.GetProperty("message").GetString()!);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ("(not an error body)", text.Length > 300 ? text[..300] : text);
        }
    }

    private async Task<List<JsonElement>> HistoryAsync()
    {
        using var response = await _router.AdminAsync(HttpMethod.Get, "admin/history");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        return [.. json.GetProperty("events").EnumerateArray()];
    }
}
