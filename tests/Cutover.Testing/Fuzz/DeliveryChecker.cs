using System.Text;
using Cutover.Core.Webhooks;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// Judges how Cutover handled one fuzz case, from its answer and from what the upstreams received under its
/// correlation id. The rules (issue 13): the answer is 200, 400, 401 or 413 (and the one the mutation calls for);
/// every upstream request of a 200 is a well-formed POST to a configured upstream, with only the headers Cutover
/// adds plus ordinary HTTP ones, each once, printable ASCII and of sane length, Meta's exact signature over its
/// body, and a body that is UTF-8 JSON forming a Meta envelope; and the updates the upstreams accepted (answered
/// 2xx) are exactly the updates of the body Meta sent, each once.
/// </summary>
/// <remarks>Updates are read by <see cref="MetaEnvelope"/>, not by Cutover's parser, so the two cannot agree on a mistake.</remarks>
public sealed class DeliveryChecker
{
    public const int MaxHeaderValueLength = 1024;

    /// <summary>The headers Cutover adds to a forward (docs/routing.md).</summary>
    public static readonly string[] CutoverHeaders =
        ["X-Hub-Signature-256", "X-Correlation-ID", "X-Webhook-Domain", "X-Routed-From", "X-Cutover-Route", "X-Idempotency-Key"];

    /// <summary>Ordinary HTTP/1.1 request headers a client may send. Transfer-Encoding is not one: with a length it frames a smuggled request.</summary>
    public static readonly string[] HttpHeaders =
        ["Host", "Content-Type", "Content-Length", "Connection", "User-Agent", "Accept", "Accept-Encoding", "traceparent", "tracestate", "baggage", "Request-Id"];

    private static readonly int[] Allowed = [200, 400, 401, 413];
    private static readonly HashSet<string> Known = new([.. CutoverHeaders, .. HttpHeaders], StringComparer.OrdinalIgnoreCase);
    private readonly WebhookSignature? _signer;
    private readonly HashSet<string> _upstreams;
    private readonly string _authority;

    /// <param name="appSecret">Cutover's app secret (null when webhooks are unsigned): every forward must carry its signature.</param>
    /// <param name="upstreamNames">The upstreams configured: a forward goes to <c>POST /{name}</c>.</param>
    /// <param name="upstreamAuthority">The Host every forward must name (<c>127.0.0.1:port</c>).</param>
    public DeliveryChecker(string? appSecret, IEnumerable<string> upstreamNames, string upstreamAuthority)
    {
        _signer = string.IsNullOrEmpty(appSecret) ? null : new WebhookSignature(appSecret);
        _upstreams = new HashSet<string>(upstreamNames, StringComparer.Ordinal);
        _authority = upstreamAuthority;
    }

    /// <summary>Every failure of one case: its answer and the upstream requests that carried its correlation id.</summary>
    public List<FuzzFailure> Check(FuzzCase c, FuzzAnswer answer, IReadOnlyList<ReceivedRequest> received)
    {
        var failures = new List<FuzzFailure>();
        void Fail(string cls, string detail) => failures.Add(new FuzzFailure(cls, c.Index, detail));

        CheckStatus(c, answer, Fail);
        if (answer.Status is 200 or 502 || received.Count > 0)
        {
            foreach (var request in received)
            {
                CheckRequest(request, answer.CorrelationId, c.Body, Fail);
            }
        }

        if (answer.Status == 200)
        {
            if (string.IsNullOrEmpty(answer.CorrelationId))
            {
                Fail("no_correlation_id", "a 200 without X-Correlation-ID: nothing ties it to what the upstreams received");
            }

            CheckUpdates(c, received, Fail);
        }
        else if (answer.Status is 400 or 401 or 413 && received.Count > 0)
        {
            Fail("forwarded_but_refused", $"answered {answer.Status} yet {received.Count} upstream request(s) carried its correlation id");
        }

        return failures;
    }

    /// <summary>Checks one upstream request on its own (also used for requests no answer accounts for).</summary>
    public List<FuzzFailure> CheckAlone(ReceivedRequest request, int caseIndex)
    {
        var failures = new List<FuzzFailure>();
        CheckRequest(request, request.Header("X-Correlation-ID"), null, (cls, detail) => failures.Add(new FuzzFailure(cls, caseIndex, detail)));
        return failures;
    }

    private static void CheckStatus(FuzzCase c, FuzzAnswer answer, Action<string, string> fail)
    {
        var status = answer.Status;
        if (status == 0)
        {
            fail("no_answer", answer.Error ?? "no answer");
            return;
        }

        if (!Allowed.Contains(status))
        {
            fail($"answer_{status}", $"answered {status} ({Excerpt(answer.Body, 200)}): only 200, 400, 401 and 413 are allowed");
            return;
        }

        var cause = c.Mutations.Where(m => m.Expectation == c.Expectation).Select(static m => m.ToString()).FirstOrDefault() ?? "(unmutated)";
        switch (c.Expectation)
        {
            case FuzzExpectation.Refuse413 when status != 413:
                fail("oversize_not_413", $"{cause}: answered {status}, not 413");
                break;
            case FuzzExpectation.Refuse401 when status != 401:
                fail(status == 200 ? "bad_signature_accepted" : "bad_signature_not_401", $"{cause}: answered {status}, not 401");
                break;
            case FuzzExpectation.Refuse400 when status != 400:
                var kind = c.Mutations.First(static m => m.Expectation == FuzzExpectation.Refuse400).Kind;
                fail(status == 200 ? $"{kind}_accepted" : $"{kind}_not_400", $"{cause}: answered {status}, not 400");
                break;
            case FuzzExpectation.Deliver when status != 200:
                fail("deliverable_refused", $"{cause}: answered {status} ({Excerpt(answer.Body, 200)}) to a webhook Meta could send");
                break;
            case FuzzExpectation.DeliverOrRefuse when status is not (200 or 400):
                fail("odd_structure_not_200_or_400", $"{cause}: answered {status}");
                break;
        }
    }

    /// <param name="sent">The body Meta sent: a forward of exactly those bytes means Cutover accepted what it forwards.</param>
    private void CheckRequest(ReceivedRequest request, string? correlationId, byte[]? sent, Action<string, string> fail)
    {
        var name = request.Path.Length > 1 ? request.Path[1..] : string.Empty;
        var host = request.Header("Host");
        if (request.Method != "POST" || !_upstreams.Contains(name) || request.Protocol != "HTTP/1.1" || host != _authority)
        {
            fail("request_misdirected", $"{request.Method} {Excerpt(request.Path, 80)} {request.Protocol} Host: {Excerpt(host ?? "(none)", 80)}: not a POST to a configured upstream at {_authority} (smuggled?)");
        }

        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (header, value) in request.HeaderLines)
        {
            counts[header] = counts.GetValueOrDefault(header) + 1;
            if (!Known.Contains(header))
            {
                fail("header_injected", $"unexpected header {Excerpt(header, 80)}: {Excerpt(value, 120)} on {request.Path}");
            }

            if (value.Length > MaxHeaderValueLength || value.Any(static ch => ch is < ' ' or > '~'))
            {
                fail("header_value_unsafe", $"{Excerpt(header, 80)} ({value.Length} chars): {Excerpt(value, 120)}");
            }
        }

        foreach (var (header, count) in counts)
        {
            if (count > 1)
            {
                fail("header_repeated", $"{header} {count} times on {request.Path}");
            }
        }

        if (request.Method != "POST")
        {
            return;
        }

        var required = _signer is null ? CutoverHeaders[1..5] : CutoverHeaders[..5];
        foreach (var header in required)
        {
            if (request.Header(header) is null)
            {
                fail("header_missing", $"{header} missing on {request.Path}");
            }
        }

        if (correlationId is not null && request.Header("X-Correlation-ID") is { } forwarded && forwarded != correlationId)
        {
            fail("header_wrong", $"X-Correlation-ID {Excerpt(forwarded, 80)}, the answer said {correlationId}");
        }

        if (request.Header("X-Routed-From") is { } from && from != "cutover")
        {
            fail("header_wrong", $"X-Routed-From: {Excerpt(from, 80)}");
        }

        if (request.Header("X-Cutover-Route") is { } route && route is not ("unified" or "legacy"))
        {
            fail("header_wrong", $"X-Cutover-Route: {Excerpt(route, 80)}");
        }

        if (request.Header("Content-Type") is not "application/json")
        {
            fail("header_wrong", $"Content-Type: {Excerpt(request.Header("Content-Type") ?? "(none)", 80)}");
        }

        if (_signer is not null && request.Header("X-Hub-Signature-256") is { } signature && signature != _signer.Sign(request.Body))
        {
            fail("forwarded_signature_invalid", $"X-Hub-Signature-256: {Excerpt(signature, 100)} is not sha256= + lowercase hex of the {request.Body.Length} bytes forwarded to {request.Path}");
        }

        if (!MetaEnvelope.TryReadUpdates(request.Body, out _, out var problem))
        {
            fail("forwarded_body_not_utf8_json", $"{request.Path}: {problem}; body: {WebhookMutator.Excerpt(request.Body, 0, 160)}");
        }
        else if (problem is not null)
        {
            // Forwarded as sent: Cutover answered 200 to a body that is not a webhook; else a part Cutover wrote is not one.
            var cls = sent is not null && request.Body.AsSpan().SequenceEqual(sent) ? "accepted_not_an_envelope" : "forwarded_not_an_envelope";
            fail(cls, $"{request.Path}: {problem}; body: {WebhookMutator.Excerpt(request.Body, 0, 160)}");
        }
    }

    /// <summary>
    /// The updates accepted (2xx) across the requests equal the updates of the body sent, each exactly once. A repeated
    /// key is read the same way in every body, last one wins or else first one wins: either is how some ordinary
    /// parser reads it, and a Cutover that refuses such bodies never gets here.
    /// </summary>
    private static void CheckUpdates(FuzzCase c, IReadOnlyList<ReceivedRequest> received, Action<string, string> fail)
    {
        var lastWins = CompareUpdates(c, received, firstWins: false);
        if (lastWins is null || lastWins.Count == 0 || CompareUpdates(c, received, firstWins: true) is { Count: 0 })
        {
            return;
        }

        foreach (var (cls, detail) in lastWins)
        {
            fail(cls, detail);
        }
    }

    /// <summary>The differences between sent and accepted updates under one reading of repeated keys; null when the body sent is not JSON.</summary>
    private static List<(string Class, string Detail)>? CompareUpdates(FuzzCase c, IReadOnlyList<ReceivedRequest> received, bool firstWins)
    {
        if (!MetaEnvelope.TryReadUpdates(c.Body, out var sent, out _, firstWins))
        {
            // Not JSON, yet answered 200: the status check has already said so.
            return null;
        }

        var failures = new List<(string, string)>();
        var expected = Count(sent);
        var accepted = new Dictionary<string, int>(StringComparer.Ordinal);
        var where = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var request in received)
        {
            if (!MetaEnvelope.TryReadUpdates(request.Body, out var updates, out _, firstWins))
            {
                continue;
            }

            if (updates.Count == 0 && sent.Count > 0 && request.Method == "POST")
            {
                failures.Add(("empty_part", $"{request.Path} received an envelope with no update: {WebhookMutator.Excerpt(request.Body, 0, 200)}"));
            }

            foreach (var update in updates)
            {
                if (!where.TryGetValue(update, out var list))
                {
                    where[update] = list = [];
                }

                list.Add($"{request.Path}={request.Status}");
                if (request.Status is >= 200 and < 300 && request.Method == "POST")
                {
                    accepted[update] = accepted.GetValueOrDefault(update) + 1;
                }
            }
        }

        foreach (var (update, count) in expected)
        {
            var got = accepted.GetValueOrDefault(update);
            var seen = where.TryGetValue(update, out var list) ? string.Join(", ", list) : "no upstream received it";
            if (got < count)
            {
                failures.Add(("update_lost", $"{Excerpt(update, 160)}: accepted {got} of {count} ({seen}; {received.Count} request(s): {Summary(received)})"));
            }
            else if (got > count)
            {
                failures.Add(("update_duplicated", $"{Excerpt(update, 160)}: accepted {got} times, sent {count} ({seen})"));
            }
        }

        foreach (var (update, count) in accepted)
        {
            if (!expected.ContainsKey(update))
            {
                failures.Add(("update_foreign", $"{Excerpt(update, 160)}: accepted {count} time(s) but not an update of the body sent ({string.Join(", ", where[update])})"));
            }
        }

        return failures;
    }

    private static string Summary(IReadOnlyList<ReceivedRequest> received) =>
        string.Join("; ", received.Select(static r => $"{r.Method} {Excerpt(r.Path, 40)} -> {r.Status}, {r.Body.Length} bytes"));

    private static Dictionary<string, int> Count(List<string> updates)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var update in updates)
        {
            counts[update] = counts.GetValueOrDefault(update) + 1;
        }

        return counts;
    }

    /// <summary>At most <paramref name="max"/> characters, control and non-ASCII characters made visible.</summary>
    public static string Excerpt(string text, int max)
    {
        var result = new StringBuilder(Math.Min(text.Length, max) + 8);
        foreach (var ch in text)
        {
            if (result.Length >= max)
            {
                result.Append($"…(+{text.Length - max})");
                break;
            }

            result.Append(ch switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                < ' ' or (> '~' and < '\u00a0') => $"\\u{(int)ch:x4}",
                _ when char.IsSurrogate(ch) => $"\\u{(int)ch:x4}",
                _ => ch.ToString(),
            });
        }

        return result.ToString();
    }
}
