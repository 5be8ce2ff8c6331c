using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

/// <summary>Step 1 of the path: the handshake, the size limit, the signature and the parse, each refusing with a reason.</summary>
public sealed class IngressTests : RouterTest
{
    private const int Limit = 64 * 1024;

    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Cutover:Ingress:MaxBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Get_Subscribe_WithMatchingToken_EchoesChallenge()
    {
        using var response = await Router.Http.GetAsync(
            $"webhook?hub.mode=subscribe&hub.verify_token={RouterHarness.VerifyToken}&hub.challenge=1158201444", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1158201444", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42", "verify_token")]
    [InlineData("hub.mode=unsubscribe&hub.verify_token=" + RouterHarness.VerifyToken + "&hub.challenge=42", "hub.mode")]
    [InlineData("hub.mode=subscribe&hub.verify_token=" + RouterHarness.VerifyToken, "hub.challenge")]
    [InlineData("", "hub.mode")]
    public async Task Get_BadHandshake_403NamingTheProblemWithoutEchoingTheToken(string query, string named)
    {
        using var response = await Router.Http.GetAsync($"webhook?{query}", Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("verification_failed", error);
        Assert.Contains(named, message);
        Assert.DoesNotContain(RouterHarness.VerifyToken, message);
    }

    [Fact]
    public async Task Post_Unsigned_401NamingTheHeaderAndNothingForwarded()
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")), sign: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("invalid_signature", error);
        Assert.Contains(WebhookSignature.HeaderName, message);
        Assert.Contains("missing", message);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_SignedWithAnotherSecretOrOtherBody_401WithoutLeakingTheSecret()
    {
        var body = WebhookBuilder.Of(Msg.Text("250788000001", "job"));
        var otherSecret = new WebhookSignature("not-the-app-secret").Sign(body);
        var otherBody = RouterHarness.Signer.Sign(WebhookBuilder.Of(Msg.Text("250788000002", "job")));

        using var wrongSecret = await Router.PostWebhookAsync(body, signature: otherSecret);
        using var wrongBody = await Router.PostWebhookAsync(body, signature: otherBody);
        using var notHex = await Router.PostWebhookAsync(body, signature: "sha256=zz");

        foreach (var (response, problem) in new[] { (wrongSecret, "does not match"), (wrongBody, "does not match"), (notHex, "64 lower-case hex digits") })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var (error, message) = await ErrorOf(response);
            Assert.Equal("invalid_signature", error);
            Assert.Contains(problem, message);
            Assert.DoesNotContain(RouterHarness.AppSecret, message);
        }

        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_DeclaredLengthOverLimit_413BeforeReading()
    {
        var body = Padded(Limit + 1);

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("payload_too_large", error);
        Assert.Contains("MaxBodyBytes", message);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_413()
    {
        // No Content-Length: the limit must hold while reading, not only on the declared length.
        var body = Padded(Limit + 4096);
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, RouterHarness.Signer.Sign(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhook") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Router.Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_AtTheLimit_Delivered()
    {
        var body = Padded(Limit);

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(Upstreams.Requests).Body);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[1,2,3]", "object")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":{}}", "entry")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"from\":", "malformed JSON")]
    public async Task Post_Malformed_400WithJsonErrorNamingTheProblem(string json, string named)
    {
        using var response = await Router.PostWebhookAsync(Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var (error, message) = await ErrorOf(response);
        Assert.Equal("malformed_payload", error);
        Assert.Contains(named, message);
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task Post_Delivered_AnswersWithCorrelationIdOfTheForward()
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var correlation = Assert.Single(response.Headers.GetValues("X-Correlation-ID"));
        Assert.Equal(correlation, Assert.Single(Upstreams.Requests).Header("X-Correlation-ID"));
    }

    /// <summary>A valid one-message webhook whose text is padded so the whole body is exactly <paramref name="size"/> bytes.</summary>
    private static byte[] Padded(int size)
    {
        var empty = WebhookBuilder.Of(Msg.Text("250788000001", "job "));
        var padding = size - empty.Length;
        Assert.True(padding >= 0, $"the envelope alone is {empty.Length} bytes");
        var body = WebhookBuilder.Of(Msg.Text("250788000001", "job " + new string('x', padding)));
        Assert.Equal(size, body.Length);
        return body;
    }

    private static async Task<(string? Error, string Message)> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return (json.RootElement.GetProperty("error").GetString(), json.RootElement.GetProperty("message").GetString()!);
    }
}
