using System.Text;
using System.Text.Json;
using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Meta batches up to 1000 updates and 3 MB in one POST (WHATSAPP.md §1.4, §1.6). The parser caps no
/// count (the server's body-size limit bounds the work); its one limit is
/// <see cref="WebhookParser.ReaderOptions"/>.MaxDepth: nesting deeper than that is refused as malformed.
/// </summary>
public sealed class WebhookParserLimitsTests
{
    [Fact]
    public void TryParse_ThousandUpdatesAcrossEntriesAndChanges_AllParsed()
    {
        // 4 entries × 5 changes × (25 messages + 25 statuses) = 1000 updates.
        var body = Batch(entries: 4, changes: 5, messages: 25, statuses: 25, text: static n => "message number " + n);

        var parsed = Parse(body);

        Assert.Equal(1000, parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            var u = parsed[i];
            var isMessage = i % 50 < 25;
            Assert.Equal(isMessage ? UpdateKind.Message : UpdateKind.Status, u.Kind);
            Assert.Equal($"wamid.{i:D5}", u.Id);
            Assert.Equal($"2507{i:D8}", u.UserKey);
            Assert.Equal((i / 250, i / 50 % 5), (u.Entry, u.Change));
            Assert.Equal(isMessage ? "message number " + i : string.Empty, TextOf(parsed, i));
        }
    }

    [Fact]
    public void TryParse_MoreThanMetasThousand_NoneDropped()
    {
        var body = Batch(entries: 1, changes: 3, messages: 300, statuses: 200, text: static _ => "x");

        var parsed = Parse(body);

        Assert.Equal(1500, parsed.Count);
        Assert.Equal("wamid.01499", parsed[1499].Id);
    }

    [Fact]
    public void TryParse_ThreeMegabytesOfText_AllTextKept()
    {
        // Meta's largest payload is 3 MB; here 1000 messages with ~3 KB of text each, some of it escaped.
        var chunk = string.Concat(Enumerable.Repeat("Ndashaka akazi \u00e0 Kigali ", 110));
        var body = Batch(entries: 1, changes: 1, messages: 1000, statuses: 0, text: n => n + " " + chunk);
        Assert.InRange(body.Length, 3_000_000, 4 * 1024 * 1024);

        var parsed = Parse(body);

        Assert.Equal(1000, parsed.Count);
        Assert.Equal("999 " + chunk.Trim(), TextOf(parsed, 999));
        Assert.Equal("0 " + chunk.Trim(), TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_SmallPostAfterThreeMegabytesIntoOneInstance_SameAsIntoAFreshOne()
    {
        // A pooled instance gives up the buffers a huge POST grew; what it parses next must not notice.
        var chunk = string.Concat(Enumerable.Repeat("Ndashaka akazi \u00e0 Kigali ", 110));
        var huge = Batch(entries: 1, changes: 1, messages: 1000, statuses: 0, text: n => n + " " + chunk);
        var small = Batch(entries: 1, changes: 2, messages: 2, statuses: 1, text: static n => "akazi " + n);
        var reused = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(huge, reused, out var hugeError), hugeError);
        Assert.Equal(1000, reused.Count);

        Assert.True(WebhookParser.TryParse(small, reused, out var error), error);

        var fresh = Parse(small);
        Assert.Equal(6, reused.Count);
        Assert.Equal(fresh.Updates.ToArray(), reused.Updates.ToArray());
        Assert.Equal(fresh.Text.ToString(), reused.Text.ToString());
        Assert.Equal("akazi 0", TextOf(reused, 0));
    }

    [Fact]
    public void TryParse_NestingAtMaxDepth_Accepted()
    {
        // The root object is depth 1, so MaxDepth - 1 arrays inside it reach exactly MaxDepth.
        var depth = WebhookParser.ReaderOptions.MaxDepth;

        var parsed = Parse($$$"""{"entry":[],"deep":{{{Nest(depth - 1)}}} }""");

        Assert.Equal(0, parsed.Count);
    }

    [Fact]
    public void TryParse_NestingOneBeyondMaxDepth_RefusedNamingTheDepth()
    {
        var depth = WebhookParser.ReaderOptions.MaxDepth;

        var error = Refuse($$$"""{"entry":[],"deep":{{{Nest(depth)}}} }""");

        Assert.StartsWith("malformed JSON", error, StringComparison.Ordinal);
        Assert.Contains("depth", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(depth.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_DeepValueInsideAMessage_LimitCountsTheEnvelope()
    {
        // root, entry[], entry, changes[], change, value, messages[], message: 8 levels before the field.
        var room = WebhookParser.ReaderOptions.MaxDepth - 8;
        string Body(int arrays) => Messages($$$"""
            "messages":[{"from":"A","id":"m1","type":"text","unknown":{{{Nest(arrays)}}} }]
            """);

        Assert.Equal("A", Parse(Body(room))[0].UserKey);
        Assert.Contains("depth", Refuse(Body(room + 1)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ReaderOptions_DeepestCorpusPayload_AtMostHalfTheMaxDepth()
    {
        var deepest = CorpusNames.Max(static name => DepthOf(Corpus(name)));

        Assert.InRange(deepest, 5, WebhookParser.ReaderOptions.MaxDepth / 2);
    }

    private static string Nest(int arrays) => new string('[', arrays) + new string(']', arrays);

    private static int DepthOf(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1000 });
        var max = 0;
        while (reader.Read())
        {
            max = Math.Max(max, reader.CurrentDepth + 1);
        }

        return max;
    }

    /// <summary>
    /// A body of <paramref name="entries"/> × <paramref name="changes"/> messages changes, each with
    /// <paramref name="messages"/> text messages then <paramref name="statuses"/> statuses; update n has id
    /// wamid.n and user 2507n (8 digits).
    /// </summary>
    private static byte[] Batch(int entries, int changes, int messages, int statuses, Func<int, string> text)
    {
        var n = 0;
        var json = new StringBuilder("""{"object":"whatsapp_business_account","entry":[""");
        for (var e = 0; e < entries; e++)
        {
            json.Append(e == 0 ? "" : ",").Append("""{"id":"WABA","changes":[""");
            for (var c = 0; c < changes; c++)
            {
                json.Append(c == 0 ? "" : ",").Append($$"""{"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"PN{{e}}{{c}}"}""");
                if (messages > 0)
                {
                    json.Append(""","messages":[""");
                    for (var m = 0; m < messages; m++, n++)
                    {
                        json.Append(m == 0 ? "" : ",")
                            .Append($$"""{"from":"2507{{n:D8}}","id":"wamid.{{n:D5}}","timestamp":"1700000000","type":"text","text":{"body":""")
                            .Append(JsonSerializer.Serialize(text(n)))
                            .Append("}}");
                    }

                    json.Append(']');
                }

                if (statuses > 0)
                {
                    json.Append(""","statuses":[""");
                    for (var s = 0; s < statuses; s++, n++)
                    {
                        json.Append(s == 0 ? "" : ",")
                            .Append($$"""{"id":"wamid.{{n:D5}}","status":"delivered","timestamp":"1700000000","recipient_id":"2507{{n:D8}}"}""");
                    }

                    json.Append(']');
                }

                json.Append("""},"field":"messages"}""");
            }

            json.Append("]}");
        }

        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }
}
