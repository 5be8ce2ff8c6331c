using System.Text;
using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Malformed bodies get a 400 whose JSON error names the problem (issue 3), so TryParse returns false with
/// that message and never throws. Containers of the envelope are strict; scalars of the wrong type count
/// as absent (the parser's remarks).
/// </summary>
public sealed class WebhookParserMalformedTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t ")]
    public void TryParse_EmptyOrBlankBody_RefusedAsEmpty(string body)
    {
        var error = Refuse(body);

        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("""[{"object":"whatsapp_business_account","entry":[]}]""", "an array")]
    [InlineData("\"whatsapp_business_account\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    [InlineData("true", "a boolean")]
    public void TryParse_RootNotAnObject_RefusedNamingWhatItIs(string body, string what)
    {
        var error = Refuse(body);

        Assert.Equal("the body must be a JSON object, not " + what, error);
    }

    [Theory]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messages":[{"from":"A","id":"m""")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messages":[{"from":"A"}]}""")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[""")]
    [InlineData("""{"object":"whatsapp_business_account",""")]
    [InlineData("{")]
    [InlineData("""{"object""")]
    public void TryParse_Truncated_RefusedAsMalformedJson(string body)
    {
        var error = Refuse(body);

        Assert.StartsWith("malformed JSON: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"entry":[]} {"entry":[]}""")]
    [InlineData("""{"entry":[]}x""")]
    [InlineData("""{"entry":[],}""")]
    [InlineData("""{'entry':[]}""")]
    [InlineData("""{"entry":[] /* comment */}""")]
    [InlineData("""{"entry":[01]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from":"A\u12"}]}}]}]}""")]
    public void TryParse_NotJson_RefusedAsMalformedJson(string body)
    {
        var error = Refuse(body);

        Assert.StartsWith("malformed JSON: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"entry":{}}""", "entry must be an array, not an object")]
    [InlineData("""{"entry":"x"}""", "entry must be an array, not a string")]
    [InlineData("""{"entry":null}""", "entry must be an array, not null")]
    [InlineData("""{"entry":[{"changes":[]},"x"]}""", "entry[1] must be an object, not a string")]
    [InlineData("""{"entry":[[]]}""", "entry[0] must be an object, not an array")]
    [InlineData("""{"entry":[{"changes":{}}]}""", "entry[0].changes must be an array, not an object")]
    [InlineData("""{"entry":[{"changes":7}]}""", "entry[0].changes must be an array, not a number")]
    [InlineData("""{"entry":[{"changes":[{"value":{}},7]}]}""", "entry[0].changes[1] must be an object, not a number")]
    [InlineData("""{"entry":[{"changes":[{"value":[]}]}]}""", "entry[0].changes[0].value must be an object, not an array")]
    [InlineData("""{"entry":[{"changes":[{"value":"v"}]}]}""", "entry[0].changes[0].value must be an object, not a string")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":{}}}]}]}""", "entry[0].changes[0].value.messages must be an array, not an object")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":null}}]}]}""", "entry[0].changes[0].value.messages must be an array, not null")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":"read"}}]}]}""", "entry[0].changes[0].value.statuses must be an array, not a string")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"id":"m1"},{"id":"m2"},null]}}]}]}""", "entry[0].changes[0].value.messages[2] must be an object, not null")]
    [InlineData("""{"entry":[{"changes":[{},{"value":{"statuses":[[]]}}]}]}""", "entry[0].changes[1].value.statuses[0] must be an object, not an array")]
    [InlineData("""{"entry":[{"changes":[]},{"changes":[{"value":{"statuses":[true]}}]}]}""", "entry[1].changes[0].value.statuses[0] must be an object, not a boolean")]
    public void TryParse_EnvelopeContainerOfWrongType_RefusedNamingThePath(string body, string expected)
    {
        var error = Refuse(body);

        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryParse_DeepNesting_RefusedNamingTheDepth()
    {
        var error = Refuse("{\"deep\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"entry\":[]}");

        Assert.StartsWith("malformed JSON: ", error, StringComparison.Ordinal);
        Assert.Contains("depth", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("text.body")]
    [InlineData("from")]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("button_reply.id")]
    [InlineData("field")]
    public void TryParse_InvalidUtf8InAStringTheParserReads_RefusedNamingUtf8(string where)
    {
        var body = Encoding.UTF8.GetBytes(Envelope(Entry($$$"""
            {"value":{"messages":[{"from":"{{{Mark("from", where)}}}","id":"{{{Mark("id", where)}}}","type":"{{{Mark("type", where)}}}",
              "text":{"body":"{{{Mark("text.body", where)}}}"},
              "interactive":{"type":"button_reply","button_reply":{"id":"{{{Mark("button_reply.id", where)}}}","title":"t"} } } ]},
             "field":"{{{Mark("field", where)}}}"}
            """)));
        var at = Array.IndexOf(body, (byte)'~');
        body[at] = 0xC3; // a lead byte with no continuation byte after it

        var error = Refuse(body);

        Assert.StartsWith("malformed JSON: ", error, StringComparison.Ordinal);
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong '/'
    [InlineData(new byte[] { 0xE2, 0x82 })] // truncated three-byte sequence
    public void TryParse_InvalidUtf8InText_RefusedNamingUtf8(byte[] bad)
    {
        var json = Encoding.UTF8.GetBytes(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"hello ~ world"}}]
            """));
        var at = Array.IndexOf(json, (byte)'~');
        var body = json[..at].Concat(bad).Concat(json[(at + 1)..]).ToArray();

        var error = Refuse(body);

        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_LoneSurrogateEscapeInTextOrId_AcceptedWithThatStringAbsent()
    {
        // Valid JSON (RFC 8259 allows the escape) that UTF-16 cannot hold: refusing it would make Meta retry for 7 days.
        var parsed = Parse(Messages("""
            "messages":[{"from":"A","id":"m1","type":"text","text":{"body":"broken \ud83d emoji"}},
                        {"from":"B","id":"m2\udfff","type":"text","text":{"body":"job"}}]
            """));

        Assert.Equal(2, parsed.Count);
        Assert.Equal(("A", "m1"), (parsed[0].UserKey, parsed[0].Id));
        Assert.Equal(string.Empty, parsed.TextOf(0).ToString().Trim());
        Assert.Equal(("B", null), (parsed[1].UserKey, parsed[1].Id));
        Assert.Equal("job", parsed.TextOf(1).ToString().Trim());
    }

    [Theory]
    [InlineData("1" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("1e999999")]
    [InlineData("-1.7976931348623157e+309")]
    [InlineData("123456789012345678901234567890.123456789e-400")]
    public void TryParse_HugeNumbers_AcceptedAndTreatedAsAbsent(string number)
    {
        var parsed = Parse($$$"""
            {"object":"whatsapp_business_account","entry":[{"id":{{{number}}},"time":{{{number}}},"changes":[{"value":{"metadata":{"phone_number_id":{{{number}}} },
              "messages":[{"from":{{{number}}},"from_user_id":"US.1","id":"m1","timestamp":{{{number}}},"type":"text","text":{"body":"hi"}}],
              "statuses":[{"id":{{{number}}},"status":"read","recipient_id":"B"}]},"field":"messages"}]}]}
            """);

        Assert.Equal(("US.1", "m1", null), (parsed[0].UserKey, parsed[0].Id, parsed[0].PhoneNumberId));
        Assert.Equal((null, "B"), (parsed[1].Id, parsed[1].UserKey));
    }

    [Fact]
    public void TryParse_ScalarsOfTheWrongType_TreatedAsAbsent()
    {
        var parsed = Parse("""
            {"object":7,"entry":[{"id":{"x":1},"changes":[{"value":{"metadata":"PN","contacts":{"wa_id":"C"},
              "messages":[{"from":["A"],"id":{"v":"m1"},"type":1,"text":{"body":42},"interactive":{"button_reply":{"id":9,"title":false}}},
                          {"from":"B","id":"m2","type":"button","button":"job_x"},
                          {"from":"D","id":"m3","type":"text","text":"plain string"}],
              "statuses":[{"id":"s1","status":["read"],"recipient_id":"E"}]},"field":["messages"]}]}]}
            """);

        Assert.Null(parsed.ObjectType);
        Assert.Equal(4, parsed.Count);
        var first = parsed[0];
        Assert.Equal((UpdateKind.Message, "messages"), (first.Kind, first.Field));
        Assert.Equal<string?>([null, null, null, null, null], [first.UserKey, first.Id, first.MessageType, first.InteractiveId, first.PhoneNumberId]);
        Assert.Equal(0, first.TextLength);
        Assert.Equal(("B", "button", null), (parsed[1].UserKey, parsed[1].MessageType, parsed[1].InteractiveId));
        Assert.Equal(("D", 0), (parsed[2].UserKey, parsed[2].TextLength));
        Assert.Equal((UpdateKind.Status, null, "E"), (parsed[3].Kind, parsed[3].Status, parsed[3].UserKey));
    }

    [Fact]
    public void TryParse_MetadataAndContactsOfTheWrongType_Ignored()
    {
        var parsed = Parse(Envelope(Entry("""
            {"value":{"metadata":[{"phone_number_id":"PN"}],"contacts":"A","user_preferences":{"wa_id":"X"},"message_echoes":5,
              "statuses":[{"id":"s1","status":"read"}]},"field":"messages"}
            """)));

        Assert.Equal(("s1", null, null), (parsed[0].Id, parsed[0].UserKey, parsed[0].PhoneNumberId));
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void TryParse_Garbage_NeverThrows(byte[] body)
    {
        var parsed = new ParsedWebhook();
        var error = (string?)null;
        var ok = false;

        var thrown = Record.Exception(() => ok = WebhookParser.TryParse(body, parsed, out error));

        Assert.Null(thrown);
        Assert.False(ok);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    public static TheoryData<byte[]> Garbage()
    {
        var data = new TheoryData<byte[]>
        {
            new byte[] { 0x00 },
            new byte[] { 0xEF, 0xBB, 0xBF },
            "\uFEFF{\"entry\":[]}"u8.ToArray(),
            "{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"from\":\"A\0\"}]}}]}]}"u8.ToArray(),
            "{\"\\u0000\":\"\\uDFFF\\uD800\"}"u8.ToArray()[..^1],
            "<xml/>"u8.ToArray(),
            "entry=1&object=whatsapp_business_account"u8.ToArray(),
        };
        for (var n = 1; n <= 40; n++)
        {
            data.Add(Encoding.UTF8.GetBytes(new string('{', n)));
        }

        return data;
    }

    /// <summary>The value of <paramref name="name"/>: a marker byte when it is where the bad byte goes.</summary>
    private static string Mark(string name, string where) => name == where ? "x~y" : name switch
    {
        "field" => "messages",
        "type" => "interactive",
        _ => "v",
    };
}
