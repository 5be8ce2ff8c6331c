using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// <c>statuses[]</c> (WHATSAPP.md §3.4): one update per status, keyed by <c>recipient_id</c>, with the
/// status value and an idempotency key of id + status (one wamid gets sent, delivered, read, …).
/// </summary>
public sealed class WebhookParserStatusesTests
{
    [Theory]
    [InlineData("056-status-sent.json", "sent")]
    [InlineData("057-status-delivered.json", "delivered")]
    [InlineData("058-status-read.json", "read")]
    [InlineData("059-status-played.json", "played")]
    [InlineData("060-status-failed.json", "failed")]
    [InlineData("061-status-sent.json", "sent")]
    public void TryParse_CorpusStatus_OneStatusKeyedByRecipient(string file, string status)
    {
        var parsed = Parse(Corpus(file));

        var update = Assert.Single(parsed.Updates.ToArray());
        Assert.Equal(UpdateKind.Status, update.Kind);
        Assert.Equal(status, update.Status);
        Assert.Equal("wamid.xyzxyz", update.Id);
        Assert.Equal("wamid.xyzxyz:" + status, update.IdempotencyKey);
        Assert.Equal("972987654321", update.UserKey);
        Assert.Equal("1122334455667", update.PhoneNumberId);
        Assert.Equal(WebhookParser.MessagesField, update.Field);
        Assert.Null(update.MessageType);
        Assert.Null(update.InteractiveId);
        Assert.Equal(0, update.TextLength);
    }

    [Fact]
    public void TryParse_OneWamidSentDeliveredRead_ThreeStatusesWithDistinctIdempotencyKeys()
    {
        var parsed = Parse(Messages("""
            "statuses":[
              {"id":"wamid.OUT1","status":"sent","timestamp":"1750857384","recipient_id":"250788000001",
               "conversation":{"id":"a75d17ad","expiration_timestamp":"1750943820","origin":{"type":"service"}},
               "pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"service"}},
              {"id":"wamid.OUT1","status":"delivered","timestamp":"1750857385","recipient_id":"250788000001"},
              {"id":"wamid.OUT1","status":"read","timestamp":"1750857390","recipient_id":"250788000001"}]
            """));

        Assert.Equal(3, parsed.Count);
        Assert.Equal(["wamid.OUT1:sent", "wamid.OUT1:delivered", "wamid.OUT1:read"], parsed.Updates.ToArray().Select(static u => u.IdempotencyKey));
        Assert.All(parsed.Updates.ToArray(), static u => Assert.Equal(("250788000001", UpdateKind.Status), (u.UserKey, u.Kind)));
        Assert.Equal([0, 1, 2], parsed.Updates.ToArray().Select(static u => u.Item));
    }

    [Fact]
    public void TryParse_FailedWithErrors_StatusFailedKeyedByRecipient()
    {
        var parsed = Parse(Messages("""
            "statuses":[{"id":"wamid.F1","status":"failed","timestamp":"1750857384","recipient_id":"250788000009",
              "errors":[{"code":131049,"title":"This message was not delivered to maintain healthy ecosystem engagement.",
                "message":"This message was not delivered to maintain healthy ecosystem engagement.",
                "error_data":{"details":"In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
                "href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}]
            """));

        Assert.Equal(("failed", "250788000009", "wamid.F1:failed"), (parsed[0].Status, parsed[0].UserKey, parsed[0].IdempotencyKey));
    }

    [Fact]
    public void TryParse_CorpusFailed_ErrorsDoNotBecomeUpdates()
    {
        var parsed = Parse(Corpus("060-status-failed.json"));

        Assert.Equal(1, parsed.Count);
        Assert.Equal(UpdateKind.Status, parsed[0].Kind);
    }

    [Fact]
    public void TryParse_GroupStatus_KeyedByRecipientId()
    {
        // DESIGN.md keys a status by statuses[].recipient_id; for a group (recipient_type "group") Meta puts
        // the group id there and the participant in recipient_participant_id.
        var parsed = Parse(Corpus("062-status-read.json"));

        Assert.Equal(("read", "fowefinoewcnw"), (parsed[0].Status, parsed[0].UserKey));
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("warning")]
    [InlineData("pending_future_value")]
    public void TryParse_OtherStatusValues_KeptVerbatim(string status)
    {
        var parsed = Parse(Messages($$"""
            "statuses":[{"id":"wamid.X","status":"{{status}}","timestamp":"1750857384","recipient_id":"250788000001"}]
            """));

        Assert.Equal((UpdateKind.Status, status), (parsed[0].Kind, parsed[0].Status));
    }

    [Fact]
    public void TryParse_StatusWithoutStatusValue_IdempotencyKeyIsTheId()
    {
        var parsed = Parse(Messages("""
            "statuses":[{"id":"wamid.NS","timestamp":"1750857384","recipient_id":"250788000001"}]
            """));

        Assert.Null(parsed[0].Status);
        Assert.Equal("wamid.NS", parsed[0].IdempotencyKey);
    }

    [Fact]
    public void TryParse_StatusWithTextLikeFields_NoTextAndNoInteractiveId()
    {
        // biz_opaque_callback_data echoes what the business sent; it is not the user's text.
        var parsed = Parse(Messages("""
            "statuses":[{"id":"wamid.T","status":"sent","recipient_id":"250788000001","biz_opaque_callback_data":"job_campaign_7","type":"text","text":{"body":"rent"}}]
            """));

        Assert.Equal(0, parsed[0].TextLength);
        Assert.Null(parsed[0].InteractiveId);
        Assert.Null(parsed[0].MessageType);
    }
}
