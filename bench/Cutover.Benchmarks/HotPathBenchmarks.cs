using System.Text;
using BenchmarkDotNet.Attributes;
using Cutover.Core.Classification;
using Cutover.Core.Identity;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Benchmarks;

/// <summary>
/// The per-request work Cutover does between reading a body and forwarding it, with the server's own
/// calls in the server's order (WebhookPipeline.HandleAsync and RouteAsync): verify the signature,
/// <see cref="WebhookParser.TryParse"/> into a reused <see cref="ParsedWebhook"/>, then
/// <see cref="Router.Decide"/> (resolve the person, classify, bucket, route) against the default domains at 50%; and, for
/// a POST whose updates go different ways, <see cref="PayloadSplitter.Split"/> plus an HMAC per part.
/// </summary>
/// <remarks>
/// Targets (issue 3): one message ≤ 2 µs and ≤ 512 B allocated for parse + decide; 1000 updates ≤ 1 ms.
/// The router is handed what the server hands it (since issue 15): one long-lived <see cref="RoutingMemory"/> over
/// the conversation memory and an <see cref="IdentityMap"/> of the default capacity, not the
/// <see cref="IConversationMemory"/> overload, which builds a fresh identity map on every call.
/// Public and not sealed: BenchmarkDotNet refuses benchmark classes that are internal or sealed.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class HotPathBenchmarks
{
    private const string AppSecret = "bench-app-secret";

    private readonly ParsedWebhook _parsed = new();
    private readonly ParsedWebhook _oneParsed = new();
    private readonly WebhookSignature _signature = new(AppSecret);
    private readonly UserKeyHasher _hasher = UserKeyHasher.Keyed(Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef"));
    private readonly UpdateDecision[] _decisions = new UpdateDecision[1000];
    private RoutingSnapshot _snapshot = null!;
    private ConversationMemory _memory = null!;
    private RoutingMemory _routing = null!;
    private byte[] _oneBsuid = [];
    private byte[] _statusBsuid = [];
    private byte[] _one = [];
    private byte[] _oneFrench = [];
    private readonly ParsedWebhook _oneFrenchParsed = new();
    private string _oneSignature = string.Empty;
    private byte[] _batch = [];
    private SplitCase _mixedSplit = null!;
    private SplitCase _batchSplit = null!;

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = BenchRouting.Snapshot(percent: 50m);
        _memory = BenchRouting.Memory();
        _routing = BenchRouting.Routing(_memory);
        _one = Payloads.OneMessage();
        _oneFrench = Payloads.OneMessageFrench();
        WebhookParser.TryParse(_oneFrench, _oneFrenchParsed, out _);
        _oneSignature = _signature.Sign(_one);
        WebhookParser.TryParse(_one, _oneParsed, out _);
        _oneBsuid = Payloads.OneMessageBsuid();
        _statusBsuid = Payloads.OneStatusBsuid();
        _batch = Payloads.Batch(1000);
        _mixedSplit = SplitCase.Prepare(Payloads.Mixed(), _snapshot, _routing);
        _batchSplit = SplitCase.Prepare(_batch, _snapshot, _routing);

        // Fail loudly rather than measure the wrong thing.
        Check(ParseDecide(_one) == 1, "the one-message body must hold one update");
        Check(ParseDecide(_oneFrench) == 1 && _decisions[0].Rule == ClassificationRule.Keyword, "the French body must hold one update, classified by a keyword");
        Check(ParseDecide(_batch) == 1000, "the batch must hold 1000 updates");

        // The BSUID-era user writes first (the person is learned by phone, the BSUID linked to it), then a status of a
        // reply keyed by the BSUID alone follows that message (rule conversation).
        Check(ParseDecide(_oneBsuid) == 1 && _decisions[0].PersonKey == Payloads.BsuidPhone, "the BSUID body must hold one message, keyed by the phone");
        Check(ParseDecide(_statusBsuid) == 1 && _decisions[0].Rule == ClassificationRule.Conversation
            && _decisions[0].PersonKey == Payloads.BsuidPhone, "the BSUID status must follow the person's inbound message");
        Check(_mixedSplit.Parts >= 2 && _batchSplit.Parts >= 2, "the split cases must split");
    }

    [Benchmark(Description = "1 message: parse + decide")]
    public int OneMessage_ParseDecide() => ParseDecide(_one);

    // The two halves of the case above, to see where its time goes.
    [Benchmark(Description = "1 message: parse only")]
    public int OneMessage_Parse() => WebhookParser.TryParse(_one, _parsed, out _) ? _parsed.Count : -1;

    [Benchmark(Description = "1 message: decide only")]
    public int OneMessage_Decide()
    {
        Router.Decide(_oneParsed, _snapshot, _routing, BenchRouting.Now, _decisions);
        return _decisions[0].Bucket;
    }

    // The same message in French: the keyword fold's non-ASCII path, block after block.
    [Benchmark(Description = "1 message, French: parse + decide")]
    public int OneMessageFrench_ParseDecide() => ParseDecide(_oneFrench);

    [Benchmark(Description = "1 message, French: decide only")]
    public int OneMessageFrench_Decide()
    {
        Router.Decide(_oneFrenchParsed, _snapshot, _routing, BenchRouting.Now, _decisions);
        return _decisions[0].Bucket;
    }

    // Since 2026 (BSUIDs): the contact has wa_id and user_id, the message from and from_user_id; the identity map links them.
    [Benchmark(Description = "1 message, BSUID: parse + decide")]
    public int OneMessageBsuid_ParseDecide() => ParseDecide(_oneBsuid);

    // A status keyed by recipient_user_id alone, after that person's inbound message: found through the BSUID, it
    // follows the conversation.
    [Benchmark(Description = "1 status, BSUID only: parse + decide")]
    public int OneStatusBsuid_ParseDecide() => ParseDecide(_statusBsuid);

    [Benchmark(Description = "1 message: verify signature")]
    public bool OneMessage_VerifySignature() => _signature.Verify(_one, _oneSignature);

    // What the decision-log writer does per record before storing it (Privacy:UserKeys = hashed).
    [Benchmark(Description = "1 record: hash the user key")]
    public string? OneRecord_HashUserKey() => _hasher.Protect("16505551234");

    [Benchmark(Description = "1000 updates: parse + decide")]
    public int Batch1000_ParseDecide() => ParseDecide(_batch);

    [Benchmark(Description = "4 updates, mixed: split + re-sign")]
    public int Mixed4_SplitResign() => _mixedSplit.SplitAndSign(_signature);

    [Benchmark(Description = "1000 updates: split + re-sign")]
    public int Batch1000_SplitResign() => _batchSplit.SplitAndSign(_signature);

    private int ParseDecide(byte[] body)
    {
        if (!WebhookParser.TryParse(body, _parsed, out var error))
        {
            throw new InvalidOperationException(error);
        }

        Router.Decide(_parsed, _snapshot, _routing, BenchRouting.Now, _decisions);
        return _parsed.Count;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>A parsed, decided body and its updates grouped into parts by upstream, as the server groups them.</summary>
    private sealed class SplitCase
    {
        private readonly byte[] _body;
        private readonly ParsedWebhook _parsed;
        private readonly int[] _partOf;

        private SplitCase(byte[] body, ParsedWebhook parsed, int[] partOf, int parts)
        {
            _body = body;
            _parsed = parsed;
            _partOf = partOf;
            Parts = parts;
        }

        public int Parts { get; }

        public static SplitCase Prepare(byte[] body, RoutingSnapshot snapshot, RoutingMemory memory)
        {
            var parsed = new ParsedWebhook();
            if (!WebhookParser.TryParse(body, parsed, out var error))
            {
                throw new InvalidOperationException(error);
            }

            var decisions = new UpdateDecision[parsed.Count];
            Router.Decide(parsed, snapshot, memory, BenchRouting.Now, decisions);

            // Parts in order of first appearance of their upstream, as WebhookPipeline.GroupIntoParts does.
            var upstreams = new List<string>();
            var partOf = new int[parsed.Count];
            for (var i = 0; i < decisions.Length; i++)
            {
                var index = upstreams.IndexOf(decisions[i].Upstream);
                if (index < 0)
                {
                    index = upstreams.Count;
                    upstreams.Add(decisions[i].Upstream);
                }

                partOf[i] = index;
            }

            return new SplitCase(body, parsed, partOf, upstreams.Count);
        }

        public int SplitAndSign(WebhookSignature signature)
        {
            var parts = PayloadSplitter.Split(_body, _parsed, _partOf, Parts);
            var length = 0;
            foreach (var part in parts)
            {
                length += signature.Sign(part).Length;
            }

            return length;
        }
    }
}
