using System.Text;
using System.Text.Json;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Webhooks;

public sealed class PayloadSplitterTests
{
    // Two entries; the first has a change with two users' messages and a status, the second an account_update.
    private const string Body = """
        {"object":"whatsapp_business_account","entry":[
          {"id":"W1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"P1"},
             "contacts":[{"wa_id":"A","profile":{"name":"Ann"}},{"wa_id":"B","profile":{"name":"Bob"}}],
             "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"a1"}},
                         {"from":"B","id":"m2","type":"text","text":{"body":"b1"}},
                         {"from":"A","id":"m3","type":"text","text":{"body":"a2"}}],
             "statuses":[{"id":"s1","status":"read","recipient_id":"B"}]},"field":"messages"}]},
          {"id":"W2","time":1700000000,"changes":[{"value":{"event":"X"},"field":"account_update"}]}]}
        """;

    [Fact]
    public void Split_ByUser_EveryUpdateExactlyOnceInValidEnvelopes()
    {
        // arrange: A's messages to part 0; B's message and status to part 1; the account update to part 2
        var parsed = Parse(Body);
        int[] partOf = [0, 1, 0, 1, 2];

        // act
        var parts = PayloadSplitter.Split(Encoding.UTF8.GetBytes(Body), parsed, partOf, 3);

        // assert
        Assert.Equal(3, parts.Length);
        var ids = parts.SelectMany(p => UpdateIds(Parse(Encoding.UTF8.GetString(p)))).ToList();
        Assert.Equal(["m1", "m3", "m2", "s1", "change:account_update"], ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var first = JsonDocument.Parse(parts[0]).RootElement;
        Assert.Equal("whatsapp_business_account", first.GetProperty("object").GetString());
        var value = first.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value");
        Assert.Equal("P1", value.GetProperty("metadata").GetProperty("phone_number_id").GetString());
        Assert.Equal("A", Assert.Single(value.GetProperty("contacts").EnumerateArray()).GetProperty("wa_id").GetString());
        Assert.False(value.TryGetProperty("statuses", out _));
        Assert.Single(first.GetProperty("entry").EnumerateArray());

        var third = JsonDocument.Parse(parts[2]).RootElement.GetProperty("entry")[0];
        Assert.Equal("W2", third.GetProperty("id").GetString());
        Assert.Equal(1700000000, third.GetProperty("time").GetInt64());
    }

    [Fact]
    public void Split_UpdatesWithoutPart_AreLeftOut()
    {
        var parsed = Parse(Body);

        var parts = PayloadSplitter.Split(Encoding.UTF8.GetBytes(Body), parsed, [-1, 0, -1, -1, -1], 1);

        Assert.Equal(["m2"], UpdateIds(Parse(Encoding.UTF8.GetString(parts[0]))));
    }

    [Fact]
    public void Split_EscapedAndUnicodeText_KeptByteForByteInsideItems()
    {
        const string body = """{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messages":[{"from":"A","id":"m1","type":"text","text":{"body":"caf\u00e9 ☕"}},{"from":"B","id":"m2","type":"text","text":{"body":"x"}}]},"field":"messages"}]}]}""";
        var parsed = Parse(body);

        var parts = PayloadSplitter.Split(Encoding.UTF8.GetBytes(body), parsed, [0, 1], 2);

        var reparsed = Parse(Encoding.UTF8.GetString(parts[0]));
        Assert.Equal("café ☕ ", reparsed.TextOf(0).ToString());
    }

    [Fact]
    public void Split_EscapesUtf16CannotHold_CopiedAsTheyCame()
    {
        // An escaped lone surrogate is valid JSON that no UTF-16 string can hold: re-encoding it would fail.
        const string ann = """{"wa_id":"A","profile":{"name":"\uD800Ann"},"x\uDFFF":"\u00e9"}""";
        const string m1 = """{"from":"A","id":"m1","type":"text","text":{"body":"caf\u00e9 \ud83d"}}""";
        var body = $$$"""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"contacts":[{{{ann}}},{"wa_id":"B"}],"messages":[{{{m1}}},{"from":"B","id":"m2","type":"text","text":{"body":"x"}}]},"field":"messages"}]}]}""";
        var parsed = Parse(body);

        var parts = PayloadSplitter.Split(Encoding.UTF8.GetBytes(body), parsed, [0, 1], 2);

        var first = Encoding.UTF8.GetString(parts[0]);
        Assert.Contains(ann, first);
        Assert.Contains(m1, first);
        Assert.DoesNotContain("\"m2\"", first);
        Assert.Equal(["m1"], UpdateIds(Parse(first)));
        Assert.Equal(["m2"], UpdateIds(Parse(Encoding.UTF8.GetString(parts[1]))));
    }

    private static ParsedWebhook Parse(string body)
    {
        var parsed = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(Encoding.UTF8.GetBytes(body), parsed, out var error), error);
        return parsed;
    }

    private static List<string> UpdateIds(ParsedWebhook parsed)
    {
        var ids = new List<string>();
        for (var i = 0; i < parsed.Count; i++)
        {
            ids.Add(parsed[i].Kind == UpdateKind.Change ? "change:" + parsed[i].Field : parsed[i].Id!);
        }

        return ids;
    }
}
