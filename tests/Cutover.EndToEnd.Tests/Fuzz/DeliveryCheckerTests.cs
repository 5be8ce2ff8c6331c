using System.Text;
using Cutover.Core.Webhooks;
using Cutover.Testing;
using Cutover.Testing.Fuzz;

namespace Cutover.EndToEnd.Tests.Fuzz;

/// <summary>
/// The fuzz test's checker, on deliveries made up by hand: a correct one (whole or split) passes, and each way of
/// getting it wrong that issue 13 found is reported under its own class.
/// </summary>
public sealed class DeliveryCheckerTests
{
    private const string Authority = "127.0.0.1:5555";
    private const string CorrelationId = "c0ffee";
    private static readonly WebhookSignature Signer = new(FuzzServer.AppSecret);
    private static readonly DeliveryChecker Checker = new(FuzzServer.AppSecret, RecordingUpstreams.Names, Authority);

    private static readonly Msg A = new("250788000001", "text", "I need a job", Id: "wamid.A");
    private static readonly Msg B = new("250788000002", "text", "house for rent", Id: "wamid.B");
    private static readonly Msg S = new("250788000003", "status", "delivered", Id: "wamid.S");

    [Fact]
    public void Check_WholeBodyToOneUpstream_NoFailure()
    {
        var c = Case(WebhookBuilder.Of(A, B, S));

        var failures = Checker.Check(c, Ok(), [Forward("default", c.Body)]);

        Assert.Empty(failures);
    }

    [Fact]
    public void Check_SplitIntoPartsEachUpdateOnce_NoFailure()
    {
        var c = Case(WebhookBuilder.Of(A, B, S));

        var failures = Checker.Check(c, Ok(), [Forward("unified", WebhookBuilder.Of(A)), Forward("property", WebhookBuilder.Of(B, S))]);

        Assert.Empty(failures);
    }

    [Fact]
    public void Check_FallbackAfterUnified500_CountsOnlyTheAcceptedForward()
    {
        var c = Case(WebhookBuilder.Of(A));

        var failures = Checker.Check(c, Ok(), [Forward("unified", c.Body) with { Status = 500 }, Forward("jobs", c.Body)]);

        Assert.Empty(failures);
    }

    [Fact]
    public void Check_EachWayOfGettingItWrong_ReportedUnderItsClass()
    {
        var body = WebhookBuilder.Of(A, B);
        var c = Case(body);
        var signature = Signer.Sign(body);

        Assert.Equal(["update_lost", "update_lost"], Classes(c, Ok(), []));
        Assert.Equal(["update_lost", "update_lost"], Classes(c, Ok(), [Forward("default", body) with { Status = 431 }]));
        Assert.Equal(["update_duplicated", "update_duplicated"], Classes(c, Ok(), [Forward("default", body), Forward("unified", body)]));
        Assert.Equal(["update_foreign"], Classes(c, Ok(), [Forward("default", WebhookBuilder.Of(A, B, S))]));
        Assert.Equal(["empty_part"], Classes(c, Ok(), [Forward("default", body), Forward("unified", """{"object":"whatsapp_business_account","entry":[]}"""u8.ToArray())]));
        Assert.Equal(["header_injected"], Classes(c, Ok(), [Forward("default", body, ("X-Idempotency-Key", "wamid.A"), ("X-Injected", "crlf"))]));
        Assert.Equal(["header_value_unsafe"], Classes(c, Ok(), [Forward("default", body, ("X-Idempotency-Key", "wamid.\u001b[31m"))]));
        Assert.Equal(["header_value_unsafe"], Classes(c, Ok(), [Forward("default", body, ("X-Idempotency-Key", new string('A', 4096)))]));
        Assert.Equal(["header_repeated"], Classes(c, Ok(), [Forward("default", body, ("X-Idempotency-Key", "a"), ("X-Idempotency-Key", "b"))]));
        Assert.Equal(["forwarded_signature_invalid"], Classes(c, Ok(), [Signed("default", body, "SHA256=" + signature[7..])]));
        Assert.Contains("request_misdirected", Classes(c, Ok(), [Forward("default", body), Forward("default", body) with { Method = "GET", Path = "/smuggled", Status = 404 }]));
        Assert.Equal(["answer_502"], Classes(c, new FuzzAnswer(502, CorrelationId, "{}"), [Forward("default", body)]));
        Assert.Equal(["no_answer"], Classes(c, new FuzzAnswer(0, null, "", "connection reset"), []));

        var notWebhook = Case("""{"object":"whatsapp_business_account"}"""u8.ToArray());
        Assert.Equal(["accepted_not_an_envelope"], Classes(notWebhook, Ok(), [Forward("default", notWebhook.Body)]));
    }

    [Fact]
    public void Check_AnswerNotTheOneTheMutationCallsFor_Reported()
    {
        var body = WebhookBuilder.Of(A);
        var signed = new FuzzCase(1, 0, "test", [new Mutation("signature", "upper_hex", "X-Hub-Signature-256", FuzzExpectation.Refuse401)], body, ["sha256=" + Signer.Sign(body)[7..].ToUpperInvariant()], FuzzExpectation.Refuse401, body);
        var utf8 = new FuzzCase(1, 1, "test", [new Mutation("invalid_utf8", "ff", "byte 3", FuzzExpectation.Refuse400)], [.. body[..3], 0xFF, .. body[3..]], [], FuzzExpectation.Refuse400, body);
        var odd = new FuzzCase(1, 2, "test", [new Mutation("id", "non_ascii", "x", FuzzExpectation.Deliver)], body, [Signer.Sign(body)], FuzzExpectation.Deliver, body);

        Assert.Contains("bad_signature_accepted", Classes(signed, Ok(), [Signed("default", body, signed.Signatures[0])]));
        Assert.Contains("invalid_utf8_accepted", Classes(utf8, Ok(), [Forward("default", utf8.Body)]));
        Assert.Contains("forwarded_body_not_utf8_json", Classes(utf8, Ok(), [Forward("default", utf8.Body)]));
        Assert.Equal(["deliverable_refused"], Classes(odd, new FuzzAnswer(400, null, "{}"), []));
        Assert.Empty(Classes(signed, new FuzzAnswer(401, null, "{}"), []));
    }

    [Fact]
    public void Check_RepeatedKeys_ReadTheSameWayInEveryBody()
    {
        // "messages" twice in one value: a parser keeping the first sees B, one keeping the last sees A.
        var sent = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(WebhookBuilder.Of(A)).Replace("\"messages\":[", "\"messages\":[" + Item(B) + "],\"messages\":[", StringComparison.Ordinal));
        var c = Case(sent);

        Assert.Empty(Checker.Check(c, Ok(), [Forward("default", sent)]));
        Assert.Empty(Checker.Check(c, Ok(), [Forward("jobs", WebhookBuilder.Of(A))]));
        Assert.Contains("update_lost", Classes(c, Ok(), [Forward("jobs", WebhookBuilder.Of(new Msg("250788000009", "text", "x", Id: "wamid.X")))]));
    }

    private static string Item(Msg m)
    {
        var json = Encoding.UTF8.GetString(WebhookBuilder.Of(m));
        var start = json.IndexOf("\"messages\":[", StringComparison.Ordinal) + "\"messages\":[".Length;
        return json[start..json.IndexOf("]},\"field\"", StringComparison.Ordinal)];
    }

    private static List<string> Classes(FuzzCase c, FuzzAnswer answer, IReadOnlyList<ReceivedRequest> received) =>
        [.. Checker.Check(c, answer, received).Select(static f => f.Class)];

    private static FuzzCase Case(byte[] body) => new(1, 0, "test", [], body, [Signer.Sign(body)], FuzzExpectation.Deliver, body);

    private static FuzzAnswer Ok() => new(200, CorrelationId, string.Empty);

    private static ReceivedRequest Forward(string upstream, byte[] body, params (string Name, string Value)[] extra) =>
        Request(upstream, body, Signer.Sign(body), extra);

    private static ReceivedRequest Signed(string upstream, byte[] body, string signature) => Request(upstream, body, signature, []);

    private static ReceivedRequest Request(string upstream, byte[] body, string signature, (string Name, string Value)[] extra)
    {
        var lines = Lines(upstream, body, signature).Concat(extra.Select(static e => new KeyValuePair<string, string>(e.Name, e.Value))).ToList();
        return new ReceivedRequest(upstream, body, lines.GroupBy(static l => l.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(static g => g.Key, static g => string.Join(", ", g.Select(static l => l.Value)), StringComparer.OrdinalIgnoreCase))
        {
            Method = "POST",
            Path = "/" + upstream,
            Protocol = "HTTP/1.1",
            HeaderLines = lines,
        };
    }

    private static List<KeyValuePair<string, string>> Lines(string upstream, byte[] body, string signature) =>
    [
        new("Host", Authority), new("Content-Type", "application/json"), new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("X-Hub-Signature-256", signature), new("X-Correlation-ID", CorrelationId), new("X-Webhook-Domain", upstream),
        new("X-Routed-From", "cutover"), new("X-Cutover-Route", upstream == "unified" ? "unified" : "legacy"),
    ];
}
