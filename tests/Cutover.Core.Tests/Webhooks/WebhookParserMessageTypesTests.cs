using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Every message type of the issue parses into one update with its kind, id, user key, type, and what
/// the classifier reads: the text (body, caption, titles) and the interactive id (button_reply.id,
/// list_reply.id, template button.payload). Shapes follow WHATSAPP.md §3.3 and the corpus.
/// </summary>
public sealed class WebhookParserMessageTypesTests
{
    private const string User = "16505551234";
    private const string Wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
    private const string Contacts = """ "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}] """;

    [Theory]
    [InlineData("033-text.json", "text", "wamid.xyzxyz")]
    [InlineData("024-interactive-button_reply.json", "interactive", "wamid.xyzxyz")]
    [InlineData("027-interactive-list_reply.json", "interactive", "wamid.zyzxyz")]
    [InlineData("031-interactive-nfm_reply.json", "interactive", "wamid.wegrchytvwcggt==")]
    [InlineData("020-interactive-call_permission_reply.json", "interactive", "wamid.x")]
    [InlineData("025-button.json", "button", "wamid.xsidjw")]
    [InlineData("034-image.json", "image", "wamid.xyzxyz")]
    [InlineData("038-audio.json", "audio", "wamid.xyzxyz")]
    [InlineData("039-audio.json", "audio", "wamid.xyzxyz")]
    [InlineData("036-video.json", "video", "wamid.xyzxyz")]
    [InlineData("037-document.json", "document", "wamid.xyzxyz")]
    [InlineData("040-sticker.json", "sticker", "wamid.xyzxyz")]
    [InlineData("045-location.json", "location", "wamid.xyzxyz")]
    [InlineData("047-contacts.json", "contacts", "wamid.xyzxyz")]
    [InlineData("042-reaction.json", "reaction", "wamid.xyzxyz")]
    [InlineData("048-order.json", "order", "wamid.xyzxyz")]
    [InlineData("066-system-user_changed_number.json", "system", "wamid.xyzxyz==")]
    [InlineData("067-system-customer_identity_changed.json", "system", "wamid.xyzxyz")]
    [InlineData("049-unsupported.json", "unsupported", "wamid.xyzxyz")]
    [InlineData("075-request_welcome.json", "request_welcome", "wamid.xyzxyz")]
    [InlineData("030-edit.json", "edit", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=")]
    public void TryParse_CorpusMessageOfType_OneMessageWithTypeIdAndSender(string file, string type, string id)
    {
        var parsed = Parse(Corpus(file));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal(UpdateKind.Message, update.Kind);
        Assert.Equal(type, update.MessageType);
        Assert.Equal(id, update.Id);
        Assert.Equal(id, update.IdempotencyKey);
        Assert.Equal(file == "030-edit.json" ? "16505551234" : "972987654321", update.UserKey);
        Assert.Equal(WebhookParser.MessagesField, update.Field);
        Assert.Equal((0, 0, 0), (update.Entry, update.Change, update.Item));
        Assert.Null(update.Status);
    }

    [Fact]
    public void TryParse_Text_BodyIsTheTextAndNoInteractiveId()
    {
        var parsed = Parse(Messages(Contacts + $$$"""
            ,"messages":[{"from":"16505551234","id":"{{{Wamid}}}","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]
            """));

        Assert.Equal(("text", Wamid, User), (parsed[0].MessageType, parsed[0].Id, parsed[0].UserKey));
        Assert.Equal("Does it come in another color?", TextOf(parsed, 0));
        Assert.Null(parsed[0].InteractiveId);
        Assert.Equal(PhoneNumberId, parsed[0].PhoneNumberId);
    }

    [Fact]
    public void TryParse_TextWithEscapesAccentsAndEmoji_TextIsUnescaped()
    {
        // Meta escapes non-ASCII as \uXXXX (surrogate pairs for emoji); the classifier needs the characters.
        var parsed = Parse(Messages("""
            "messages":[{"from":"250788000001","id":"wamid.E1","timestamp":"1749416383","type":"text","text":{"body":"Je cherche un emploi \u00e0 Kigali \ud83d\ude4f \"urgent\"\nmerci"}}]
            """));

        Assert.Equal("Je cherche un emploi à Kigali 🙏 \"urgent\"\nmerci", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_TextReplyWithContextAndReferral_ContextFromIsNotTheSender()
    {
        // A reply carries context.from = the business's number, and a CTWA ad adds referral{body, headline}.
        var parsed = Parse(Messages("""
            "messages":[{"context":{"from":"15550783881","id":"wamid.ORIGINAL"},
              "referral":{"source_url":"https://fb.me/x","source_type":"ad","body":"Rent a house today","headline":"Houses"},
              "from":"250788000001","id":"wamid.R1","timestamp":"1749416383","type":"text","text":{"body":"hello"}}]
            """));

        Assert.Equal(("250788000001", "wamid.R1"), (parsed[0].UserKey, parsed[0].Id));
        Assert.Equal("hello", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_InteractiveButtonReply_IdIsTheReplyIdAndTitleIsText()
    {
        var parsed = Parse(Messages("""
            "messages":[{"context":{"from":"15550783881","id":"wamid.Q"},"from":"250788000001","id":"wamid.B1","timestamp":"1749416383",
              "type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"job_apply_42","title":"Apply now"}}}]
            """));

        Assert.Equal(("interactive", "job_apply_42"), (parsed[0].MessageType, parsed[0].InteractiveId));
        Assert.Equal("Apply now", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_InteractiveListReply_IdAndTitleAndDescription()
    {
        var parsed = Parse(Corpus("028-interactive-list_reply.json"));

        Assert.Equal("callback_data", parsed[0].InteractiveId);
        Assert.Equal("title description", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_InteractiveListReplyInline_IdBeforeTitleOrAfter_SameResult()
    {
        var idFirst = Parse(Messages("""
            "messages":[{"from":"A","id":"m1","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"prop_2br","title":"Two bedrooms","description":"Kimihurura"}}}]
            """));
        var idLast = Parse(Messages("""
            "messages":[{"from":"A","id":"m1","interactive":{"list_reply":{"description":"Kimihurura","title":"Two bedrooms","id":"prop_2br"},"type":"list_reply"},"type":"interactive"}]
            """));

        Assert.Equal("prop_2br", idFirst[0].InteractiveId);
        Assert.Equal("prop_2br", idLast[0].InteractiveId);
        Assert.Equal("Two bedrooms Kimihurura", TextOf(idFirst, 0));
        Assert.Equal("Kimihurura Two bedrooms", TextOf(idLast, 0));
    }

    [Fact]
    public void TryParse_InteractiveNfmReply_FlowResponseIsNeitherIdNorText()
    {
        // A Flow completion: the form's answers are a JSON string in response_json. Routing rules look at
        // button/list ids only, so the flow's answers must not turn into keywords or a button id.
        var parsed = Parse(Corpus("031-interactive-nfm_reply.json"));

        Assert.Equal("interactive", parsed[0].MessageType);
        Assert.Null(parsed[0].InteractiveId);
        Assert.Equal(0, parsed[0].TextLength);
    }

    [Fact]
    public void TryParse_InteractiveWithoutInteractiveObject_StillOneMessage()
    {
        // WHATSAPP.md §3.3: an interactive message can come without its object, beside value.errors[] 131000.
        var parsed = Parse(Corpus("054-interactive-missing+value_errors.json"));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal((UpdateKind.Message, "interactive", "wamid.wegrchytvwcggt="), (update.Kind, update.MessageType, update.Id));
        Assert.Null(update.InteractiveId);
        Assert.Equal("972987654321", update.UserKey);
    }

    [Fact]
    public void TryParse_TemplateQuickReplyButton_PayloadIsTheIdAndTextIsText()
    {
        var parsed = Parse(Messages("""
            "messages":[{"context":{"from":"15550783881","id":"wamid.TEMPLATE"},"from":"250788000001","id":"wamid.BT1","timestamp":"1749416383",
              "type":"button","button":{"text":"Yes, reorder","payload":"mkt_reorder_7"}}]
            """));

        Assert.Equal(("button", "mkt_reorder_7"), (parsed[0].MessageType, parsed[0].InteractiveId));
        Assert.Equal("Yes, reorder", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_CorpusTemplateButtonWithoutContext_PayloadIsTheId()
    {
        var parsed = Parse(Corpus("026-button.json"));

        Assert.Equal(("button", "callback_data"), (parsed[0].MessageType, parsed[0].InteractiveId));
        Assert.Equal("title", TextOf(parsed, 0));
    }

    [Theory]
    [InlineData("image", """{"caption":"my house for rent","mime_type":"image/jpeg","sha256":"abc=","id":"1111"}""", "my house for rent")]
    [InlineData("video", """{"caption":"the car","mime_type":"video/mp4","sha256":"abc=","id":"2222"}""", "the car")]
    [InlineData("document", """{"caption":"my CV","filename":"cv.pdf","mime_type":"application/pdf","sha256":"abc=","id":"3333"}""", "my CV")]
    [InlineData("image", """{"mime_type":"image/jpeg","sha256":"abc=","id":"4444","url":"https://lookaside.fbsbx.com/x"}""", "")]
    [InlineData("audio", """{"mime_type":"audio/ogg; codecs=opus","sha256":"abc=","id":"5555","voice":true}""", "")]
    [InlineData("sticker", """{"mime_type":"image/webp","sha256":"abc=","id":"6666","animated":false}""", "")]
    public void TryParse_Media_CaptionIsTheTextAndFilenameIsNot(string type, string media, string text)
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from":"250788000001","id":"wamid.M1","timestamp":"1749416383","type":"{{{type}}}","{{{type}}}":{{{media}}} }]
            """));

        Assert.Equal((type, "wamid.M1", "250788000001"), (parsed[0].MessageType, parsed[0].Id, parsed[0].UserKey));
        Assert.Equal(text, TextOf(parsed, 0));
        Assert.Null(parsed[0].InteractiveId);
    }

    [Fact]
    public void TryParse_CorpusVideoAndDocument_CaptionIsTheText()
    {
        Assert.Equal("caption", TextOf(Parse(Corpus("036-video.json")), 0));
        Assert.Equal("caption", TextOf(Parse(Corpus("037-document.json")), 0));
    }

    [Fact]
    public void TryParse_Location_OneLocationMessageFromTheSender()
    {
        var parsed = Parse(Messages("""
            "messages":[{"from":"250788000001","id":"wamid.L1","timestamp":"1749416383","type":"location",
              "location":{"latitude":-1.9441,"longitude":30.0619,"name":"Kigali Heights","address":"KG 7 Ave","url":"https://example.org"}}]
            """));

        Assert.Equal(("location", "wamid.L1", "250788000001"), (parsed[0].MessageType, parsed[0].Id, parsed[0].UserKey));
        Assert.Null(parsed[0].InteractiveId);
    }

    [Fact]
    public void TryParse_SharedContacts_TheCardsWaIdIsNotTheSender()
    {
        // A contacts message carries its own contacts[] of vCards with phones[].wa_id of *other* people.
        var parsed = Parse(Messages("""
            "messages":[{"from_user_id":"US.13491208655302741918","id":"wamid.C1","timestamp":"1749416383","type":"contacts",
              "contacts":[{"name":{"formatted_name":"Chandler Bing","first_name":"Chandler"},"phones":[{"phone":"+1 555-555-5555","wa_id":"15555555555","type":"CELL"}],"wa_id":"15555555555"}]}]
            """));

        Assert.Equal(("contacts", "US.13491208655302741918"), (parsed[0].MessageType, parsed[0].UserKey));
    }

    [Theory]
    [InlineData(""" {"message_id":"wamid.TARGET","emoji":"\ud83d\ude00"} """)]
    [InlineData(""" {"message_id":"wamid.TARGET","emoji":""} """)]
    [InlineData(""" {"message_id":"wamid.TARGET"} """)]
    public void TryParse_ReactionAndUnreaction_OneReactionMessage(string reaction)
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from":"250788000001","id":"wamid.RX","timestamp":"1749416383","type":"reaction","reaction":{{{reaction}}} }]
            """));

        Assert.Equal(("reaction", "wamid.RX", "250788000001"), (parsed[0].MessageType, parsed[0].Id, parsed[0].UserKey));
        Assert.Null(parsed[0].InteractiveId);
    }

    [Fact]
    public void TryParse_CorpusUnreactions_ParseAsReactions()
    {
        Assert.Equal("reaction", Parse(Corpus("043-reaction.json"))[0].MessageType);
        Assert.Equal("reaction", Parse(Corpus("044-reaction.json"))[0].MessageType);
    }

    [Fact]
    public void TryParse_Order_OrderTextIsTheText()
    {
        var parsed = Parse(Messages("""
            "messages":[{"from":"250788000001","id":"wamid.O1","timestamp":"1749416383","type":"order",
              "order":{"catalog_id":"354160437058781","text":"please deliver to Remera","product_items":[{"product_retailer_id":"SHOE_42","quantity":1,"item_price":30000,"currency":"RWF"}]}}]
            """));

        Assert.Equal(("order", "wamid.O1"), (parsed[0].MessageType, parsed[0].Id));
        Assert.Equal("please deliver to Remera", TextOf(parsed, 0));
    }

    [Fact]
    public void TryParse_SystemUserChangedNumber_SenderIsFromNotTheNewNumber()
    {
        // DESIGN.md: the user key is messages[].from; system.wa_id is the number the user moved to.
        var parsed = Parse(Corpus("066-system-user_changed_number.json"));

        Assert.Equal(("system", "972987654321"), (parsed[0].MessageType, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_SystemUserChangedUserIdWithoutFrom_SystemUserIdStandsIn()
    {
        // BSUID era: "the notification reports only the BSUID change; no phone number is included".
        var parsed = Parse(Messages("""
            "messages":[{"id":"wamid.S1","timestamp":"1749416383","type":"system",
              "system":{"body":"User changed","type":"user_changed_user_id","user_id":"US.99887766554433221100"}}]
            """));

        Assert.Equal(("system", "US.99887766554433221100"), (parsed[0].MessageType, parsed[0].UserKey));
    }

    [Fact]
    public void TryParse_UnsupportedWithErrorsAndInnerType_OneUnsupportedMessage()
    {
        var parsed = Parse(Corpus("050-unsupported.json"));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal(("unsupported", "972987654321"), (update.MessageType, update.UserKey));
        Assert.Equal(0, update.TextLength);
    }

    [Fact]
    public void TryParse_RequestWelcome_NoBodyStillAMessage()
    {
        var parsed = Parse(Messages("""
            "messages":[{"from":"250788000001","id":"wamid.W1","timestamp":"1749416383","type":"request_welcome"}]
            """));

        Assert.Equal((UpdateKind.Message, "request_welcome", "250788000001"), (parsed[0].Kind, parsed[0].MessageType, parsed[0].UserKey));
        Assert.Equal(0, parsed[0].TextLength);
    }

    [Fact]
    public void TryParse_RevokeAndEdit_ParseAsMessagesOfTheirType()
    {
        Assert.Equal("revoke", Parse(Corpus("029-revoke.json"))[0].MessageType);
        Assert.Equal("edit", Parse(Corpus("030-edit.json"))[0].MessageType);
    }

    [Fact]
    public void TryParse_TypeUnknownToTheParser_KeptVerbatim()
    {
        var parsed = Parse(Messages("""
            "messages":[{"from":"250788000001","id":"wamid.P1","timestamp":"1749416383","type":"poll_vote","poll_vote":{"option":"a"}}]
            """));

        Assert.Equal((UpdateKind.Message, "poll_vote", "wamid.P1"), (parsed[0].Kind, parsed[0].MessageType, parsed[0].Id));
    }

    [Fact]
    public void TryParse_ContextAndTypeObjectBeforeTypeAndFrom_OrderDoesNotMatter()
    {
        var parsed = Parse(Messages("""
            "messages":[{"button":{"payload":"job_yes","text":"Yes"},"context":{"id":"wamid.Q","from":"15550783881"},"type":"button","id":"wamid.X","from":"250788000001"}]
            """));

        Assert.Equal(("button", "job_yes", "250788000001", "wamid.X"), (parsed[0].MessageType, parsed[0].InteractiveId, parsed[0].UserKey, parsed[0].Id));
    }
}
