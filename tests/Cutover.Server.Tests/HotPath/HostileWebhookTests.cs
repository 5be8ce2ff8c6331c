using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cutover.Core.Classification;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Tests.HotPath;

/// <summary>
/// Webhooks as an attacker (or a broken sender) writes them, each signed as Meta signs: nothing in them may reach an
/// upstream's framing or headers, be answered 200 without reaching a handler, or go unlogged (issue 13).
/// </summary>
public sealed class HostileWebhookTests : RouterTest
{
    private const string User = "250788000001";

    [Theory]
    [InlineData("wamid.\u00e9t\u00e9")] // non-ASCII: the HTTP client refused the header, and Meta got 502 for 7 days
    [InlineData("wamid.x\r\nX-Injected: yes")] // CR/LF: an extra header at the upstream
    [InlineData("wamid.x\u0000y")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef")] // an id posing as a digest is digested too
    public async Task Post_IdThatIsNotAPlainToken_DeliveredOnceWithADigestAsTheKey(string id)
    {
        using var response = await Router.PostWebhookAsync(OneMessage(JsonSerializer.Serialize(id)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Upstreams.Requests);
        var key = received.Header("X-Idempotency-Key");
        Assert.Equal(WebhookIds.Plain(id), key);
        Assert.StartsWith(WebhookIds.DigestPrefix, key, StringComparison.Ordinal);
        Assert.Null(received.Header("X-Injected"));
    }

    [Fact]
    public async Task Post_BatchWithOnePoisonId_EveryPartDeliveredOnce()
    {
        // Two domains, so two parts: the non-ASCII id in one part refused the whole POST, and Meta re-sent both parts.
        var body = Encoding.UTF8.GetBytes("""
            {"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{
              "messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"PN"},
              "messages":[{"from":"250788000001","id":"wamid.été","timestamp":"1","type":"text","text":{"body":"job"}},
                          {"from":"250788000002","id":"wamid.ok","timestamp":"1","type":"text","text":{"body":"apartment"}}]}}]}]}
            """);

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Upstreams.For("jobs"));
        Assert.Equal("wamid.ok", Assert.Single(Upstreams.For("property")).Header("X-Idempotency-Key"));
    }

    [Fact]
    public async Task Post_MegabyteIdAndUserKey_DeliveredWithShortHeaders()
    {
        var huge = new string('1', 1024 * 1024);

        using var response = await Router.PostWebhookAsync(OneMessage(JsonSerializer.Serialize("wamid." + huge), from: huge));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Upstreams.Requests);
        Assert.All(received.Headers.Values, static v => Assert.True(v.Length < 512, $"a header of {v.Length} characters"));
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.True(decision.MessageId!.Length <= 128 && decision.UserKey!.Length <= 128, "stored identifiers are bounded");
    }

    [Theory]
    [InlineData(413)]
    [InlineData(414)]
    [InlineData(431)]
    public async Task Post_UpstreamRefusesTheRequestsSize_NotTakenSoMetaRetries(int status)
    {
        // The handler never saw the webhook: 200 to Meta would have lost it.
        Upstreams.Respond("jobs", status);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(User, "job")));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Theory]
    [InlineData("entry", """{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"job"}}]}}]}],"entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"B","id":"m2","type":"text","text":{"body":"apartment"}}]}}]}]}""")]
    [InlineData("changes", """{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"job"}}]}}],"changes":[{"field":"messages","value":{"messages":[{"from":"B","id":"m2","type":"text","text":{"body":"apartment"}}]}}]}]}""")]
    [InlineData("value", """{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"job"}}]},"value":{"messages":[{"from":"B","id":"m2","type":"text","text":{"body":"apartment"}}]}}]}]}""")]
    [InlineData("from", """{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"A","from":"B","id":"m1","type":"text","text":{"body":"job"}}]}}]}]}""")]
    public async Task Post_KeyTheRouterReadsRepeated_400NamingItAndNothingForwarded(string key, string json)
    {
        using var response = await Router.PostWebhookAsync(Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("malformed_payload", error);
        Assert.Contains($"\"{key}\" twice", message, StringComparison.Ordinal);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_InvalidUtf8InAFieldTheParserSkips_400AndNothingForwarded()
    {
        var json = OneMessage("\"wamid.ok\"", extra: "\"profile_note\":\"~\",");
        var at = Array.IndexOf(json, (byte)'~');
        json[at] = 0xFF;

        using var response = await Router.PostWebhookAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("malformed_payload", error);
        Assert.Contains($"UTF-8 (an invalid byte sequence at offset {at})", message, StringComparison.Ordinal);
        Assert.Empty(Upstreams.Requests);
    }

    [Theory]
    [InlineData("SHA256=")]
    [InlineData("upper")]
    [InlineData("sha256= ")]
    [InlineData("sha256=\t")]
    public async Task Post_SignatureNotInMetasOneForm_401(string variant)
    {
        var body = WebhookBuilder.Of(Msg.Text(User, "job"));
        var hex = RouterHarness.Signer.Sign(body)["sha256=".Length..];
        var header = variant == "upper" ? "sha256=" + hex.ToUpperInvariant() : variant + hex;

        using var response = await Router.PostWebhookAsync(body, signature: header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (_, message) = await ErrorOf(response);
        Assert.Contains("64 lower-case hex digits", message, StringComparison.Ordinal);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_MalformedChunkedBody_NotAnswered200AndLoggedAndCounted()
    {
        var body = WebhookBuilder.Of(Msg.Text(User, "job"));
        var head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + $"X-Hub-Signature-256: {RouterHarness.Signer.Sign(body)}\r\n\r\n";

        // A chunk size that is not hex: Kestrel gives up on the body mid-read.
        var status = await RawStatusAsync(Encoding.ASCII.GetBytes(head + "zz\r\n"), Encoding.ASCII.GetBytes("\r\n0\r\n\r\n"));

        Assert.Equal(400, status);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_BodySlowerThanTheMinimumRate_408NotDeliveredNot200()
    {
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        var logs = new CapturedLogs();
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<KestrelServerOptions>(static k =>
                k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 10_000, gracePeriod: TimeSpan.FromSeconds(1.5)));
        });
        var body = WebhookBuilder.Of(Msg.Text(User, "job"));
        var head = $"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n"
            + $"X-Hub-Signature-256: {RouterHarness.Signer.Sign(body)}\r\n\r\n";

        // Ten bytes, then nothing: Kestrel's data-rate check ends the read about two seconds later.
        var status = await RawStatusAsync(Encoding.ASCII.GetBytes(head).Concat(body.Take(10)).ToArray(), rest: null, router.Address);

        Assert.Equal(408, status);
        Assert.Empty(upstreams.Requests);
        Assert.Contains(logs.WithId(1012), static e => e.Message.Contains("answered 408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_UnexpectedException_Logged500WithCorrelationAndTheNextWebhookServed()
    {
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        var logs = new CapturedLogs();
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddSingleton<IConversationMemory>(new FailingMemory("250700000666"));
        });

        using var crashed = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250700000666", "hello")));
        using var served = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(User, "hello")));

        Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        var (error, _) = await ErrorOf(crashed);
        Assert.Equal("internal_error", error);
        var correlation = Assert.Single(crashed.Headers.GetValues("X-Correlation-ID"));
        var logged = Assert.Single(logs.WithId(1006));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains(correlation, logged.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Single(upstreams.Requests);
    }

    /// <summary>With no AppSecret nothing is checked, but a signature header goes on only in Meta's one form.</summary>
    public sealed class WithoutAppSecret : RouterTest
    {
        [Theory]
        [InlineData("sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
        [InlineData("SHA256=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", false)]
        [InlineData("sha256=zz", false)]
        [InlineData("anything at all", false)]
        public async Task Post_SignatureHeader_PassedOnOnlyWhenWellFormed(string header, bool passedOn)
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(User, "job")), signature: header);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(passedOn ? header : null, Assert.Single(Upstreams.Requests).Header("X-Hub-Signature-256"));
        }

        protected override void Configure(Dictionary<string, string?> settings) => settings["Cutover:AppSecret"] = string.Empty;
    }

    /// <summary>The smuggling id, against an upstream that frames requests as a plain HTTP server does.</summary>
    public sealed class AgainstARawUpstream : IAsyncLifetime
    {
        private RawHttpUpstream _raw = null!;
        private RecordingUpstreams _unused = null!;
        private RouterHarness _router = null!;

        public async ValueTask InitializeAsync()
        {
            _raw = new RawHttpUpstream();
            _unused = await RecordingUpstreams.StartAsync(Cancel);
            _router = await RouterHarness.StartAsync(_unused, s =>
            {
                foreach (var name in RecordingUpstreams.Names)
                {
                    s[$"Cutover:Upstreams:{name}:Url"] = _raw.UrlOf(name);
                }
            }, cancellationToken: Cancel);
        }

        public async ValueTask DisposeAsync()
        {
            await _router.DisposeAsync();
            await _unused.DisposeAsync();
            await _raw.DisposeAsync();
        }

        [Fact]
        public async Task Post_IdThatSmugglesASecondRequest_OneWellFramedRequestWithTheWholeBody()
        {
            const string Smuggler = "wamid.x\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: evil\r\nX-Pad: ";
            var body = OneMessage(JsonSerializer.Serialize(Smuggler));

            using var response = await _router.PostWebhookAsync(body);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var received = Assert.Single(_raw.Requests);
            Assert.StartsWith("POST /jobs ", received.RequestLine, StringComparison.Ordinal);
            Assert.Equal(body, received.Body);
            Assert.Equal([WebhookIds.Plain(Smuggler)!], received.ValuesOf("X-Idempotency-Key"));
            Assert.Equal([body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)], received.ValuesOf("Content-Length"));
            Assert.DoesNotContain(received.Headers, static h => h.Value.Contains("evil", StringComparison.Ordinal));
        }
    }

    private static byte[] OneMessage(string idJson, string from = User, string extra = "") => Encoding.UTF8.GetBytes($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PN"},
          "contacts":[{"profile":{"name":"A"},"wa_id":"{{{from}}}"}],
          "messages":[{"from":"{{{from}}}","id":{{{idJson}}},{{{extra}}}"timestamp":"1700000000","type":"text","text":{"body":"job"}}]}}]}]}
        """);

    /// <summary>Writes a request by hand (as a broken client would) and reads the status code of the answer.</summary>
    private async Task<int> RawStatusAsync(byte[] first, byte[]? rest, Uri? address = null)
    {
        address ??= Router.Address;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port, Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(first, Cancel);
        if (rest is not null)
        {
            await stream.WriteAsync(rest, Cancel);
        }

        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var statusLine = await reader.ReadLineAsync(timeout.Token) ?? string.Empty;
        var parts = statusLine.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : -1;
    }

    private static async Task<(string? Error, string Message)> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return (json.RootElement.GetProperty("error").GetString(), json.RootElement.GetProperty("message").GetString()!);
    }

    /// <summary>Conversation memory that fails for one user, standing in for any bug on the webhook path.</summary>
    private sealed class FailingMemory(string failingUser) : IConversationMemory
    {
        private readonly ConversationMemory _inner = new(1000, TimeSpan.FromMinutes(30));

        public bool TryRecall(string userKey, DateTimeOffset now, out string domain) => userKey == failingUser
            ? throw new InvalidOperationException("test fault in conversation memory")
            : _inner.TryRecall(userKey, now, out domain);

        public void Remember(string userKey, string domain, DateTimeOffset now) => _inner.Remember(userKey, domain, now);

        public bool TryRecallInbound(string userKey, DateTimeOffset now, TimeSpan window, out InboundRoute inbound) =>
            _inner.TryRecallInbound(userKey, now, window, out inbound);

        public void RememberInbound(string userKey, string? domain, InboundRoute inbound) => _inner.RememberInbound(userKey, domain, inbound);
    }
}
