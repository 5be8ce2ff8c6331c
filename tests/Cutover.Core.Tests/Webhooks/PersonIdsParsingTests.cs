using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Every identifier of a person an update carries (issue 15): the key routing always used (<c>UserKey</c>), the BSUID,
/// the parent BSUID, and the identifier a <c>system</c> message changes to. The identity map links what these name, so a
/// wrong field here would split a person or merge two.
/// </summary>
public sealed class PersonIdsParsingTests
{
    private const string Phone = "250788000001";
    private const string Bsuid = "US.13491208655302741918";
    private const string ParentBsuid = "US.ENT.11815799212886844830";

    [Fact]
    public void TryParse_MessageWithFromUserIdAndParent_AllThreeIdentifiers()
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from":"{{{Phone}}}","from_user_id":"{{{Bsuid}}}","from_parent_user_id":"{{{ParentBsuid}}}","id":"m1","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal((Phone, Bsuid, ParentBsuid, (string?)null), (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId, parsed[0].NewUserKey));
    }

    [Fact]
    public void TryParse_UsernameUserWithFromUserIdOnly_BsuidIsKeyAndUserId()
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from_user_id":"{{{Bsuid}}}","id":"m1","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal((Bsuid, Bsuid, (string?)null), (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId));
    }

    [Fact]
    public void TryParse_MessageWithFromOnlyAndContactOfTheSamePerson_ContactFillsUserIdAndParent()
    {
        var parsed = Parse(Messages($$$"""
            "contacts":[{"profile":{"name":"Ann"},"wa_id":"{{{Phone}}}","user_id":"{{{Bsuid}}}","parent_user_id":"{{{ParentBsuid}}}"}],
            "messages":[{"from":"{{{Phone}}}","id":"m1","type":"text","text":{"body":"hi"}}]
            """));

        Assert.Equal((Phone, Bsuid, ParentBsuid), (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId));
    }

    [Fact]
    public void TryParse_ContactOfAnotherPerson_AddsNothing()
    {
        // contacts[] may name someone else than the item: taking their BSUID would merge two people into one bucket.
        var parsed = Parse(Messages($$$"""
            "contacts":[{"wa_id":"250788999999","user_id":"US.999","parent_user_id":"US.ENT.999"}],
            "messages":[{"from":"{{{Phone}}}","id":"m1","type":"text"}],
            "statuses":[{"id":"s1","status":"read","recipient_user_id":"{{{Bsuid}}}"}]
            """));

        Assert.Equal((Phone, (string?)null, (string?)null), (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId));
        Assert.Equal((Bsuid, Bsuid, (string?)null), (parsed[1].UserKey, parsed[1].UserId, parsed[1].ParentUserId));
    }

    [Fact]
    public void TryParse_StatusWithRecipientUserIdOnlyAndContactWithPhone_PhoneIsTheKey()
    {
        // A reply sent to a BSUID: the status names the BSUID alone, the contact gives the phone the person was first keyed by.
        var parsed = Parse(Messages($$$"""
            "contacts":[{"wa_id":"{{{Phone}}}","user_id":"{{{Bsuid}}}"}],
            "statuses":[{"id":"s1","status":"delivered","recipient_user_id":"{{{Bsuid}}}"}]
            """));

        Assert.Equal((Phone, Bsuid), (parsed[0].UserKey, parsed[0].UserId));
    }

    [Fact]
    public void TryParse_StatusWithAllThreeRecipientIds_AllThreeIdentifiers()
    {
        var parsed = Parse(Messages($$$"""
            "statuses":[{"id":"s1","status":"read","recipient_id":"{{{Phone}}}","recipient_user_id":"{{{Bsuid}}}","parent_recipient_user_id":"{{{ParentBsuid}}}"}]
            """));

        Assert.Equal((Phone, Bsuid, ParentBsuid), (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId));
    }

    [Fact]
    public void TryParse_CorpusStatusWithContactBsuids_ContactFillsThem()
    {
        var parsed = Parse(Corpus("057-status-delivered.json"));

        Assert.Equal(("972987654321", "US.13491208655302741918", "US.ENT.11815799212886844830"),
            (parsed[0].UserKey, parsed[0].UserId, parsed[0].ParentUserId));
    }

    [Fact]
    public void TryParse_CorpusUserChangedNumber_OldNumberIsKeyNewNumberIsNewUserKey()
    {
        var parsed = Parse(Corpus("066-system-user_changed_number.json"));

        Assert.Equal(("972987654321", "972912345678"), (parsed[0].UserKey, parsed[0].NewUserKey));
    }

    [Fact]
    public void TryParse_UserChangedUserIdWithoutFrom_OldBsuidIsKeyNewBsuidIsNewUserKey()
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from_user_id":"{{{Bsuid}}}","id":"m1","type":"system","system":{"body":"changed","type":"user_changed_user_id","user_id":"US.77"}}]
            """));

        Assert.Equal((Bsuid, Bsuid, "US.77"), (parsed[0].UserKey, parsed[0].UserId, parsed[0].NewUserKey));
    }

    [Fact]
    public void TryParse_SystemMessageWithNoOtherIdentifier_SystemIdentifierIsTheKeyAndNothingNew()
    {
        // As before identities: without from, the system object's identifier is the only key there is.
        var parsed = Parse(Messages("""
            "messages":[{"id":"m1","type":"system","system":{"type":"user_changed_number","wa_id":"250788000002"}}]
            """));

        Assert.Equal(("250788000002", (string?)null), (parsed[0].UserKey, parsed[0].NewUserKey));
    }

    [Theory]
    [InlineData("US.\u00e9t\u00e9")]
    [InlineData("hmac:abc")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef")]
    [InlineData(null)] // 1 MB
    public void TryParse_HostileFromUserId_BecomesADigest(string? hostile)
    {
        hostile ??= new string('x', 1 << 20);
        var parsed = Parse(Messages($$$"""
            "messages":[{"from_user_id":"{{{hostile}}}","id":"m1","type":"text"}]
            """));

        // The same input always gives the same digest, so the person keeps one bucket, and no input can pose as a stored key.
        Assert.StartsWith(WebhookIds.DigestPrefix, parsed[0].UserKey, StringComparison.Ordinal);
        Assert.Equal(WebhookIds.Plain(hostile), parsed[0].UserKey);
        Assert.Equal(parsed[0].UserKey, parsed[0].UserId);
    }

    [Fact]
    public void TryParse_HostileSystemIdentifier_NewUserKeyIsADigest()
    {
        var parsed = Parse(Messages($$$"""
            "messages":[{"from":"{{{Phone}}}","id":"m1","type":"system","system":{"type":"user_changed_number","wa_id":"hmac:someone"}}]
            """));

        Assert.Equal(WebhookIds.Plain("hmac:someone"), parsed[0].NewUserKey);
        Assert.StartsWith(WebhookIds.DigestPrefix, parsed[0].NewUserKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from_user_id":"US.1","from_user_id":"US.2"}]}}]}]}""", "entry[0].changes[0].value.messages[0] has the key \"from_user_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from_parent_user_id":"US.1","from_parent_user_id":"US.2"}]}}]}]}""", "entry[0].changes[0].value.messages[0] has the key \"from_parent_user_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":[{"recipient_user_id":"US.1","recipient_user_id":"US.2"}]}}]}]}""", "entry[0].changes[0].value.statuses[0] has the key \"recipient_user_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":[{"parent_recipient_user_id":"US.1","parent_recipient_user_id":"US.2"}]}}]}]}""", "entry[0].changes[0].value.statuses[0] has the key \"parent_recipient_user_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"contacts":[{"parent_user_id":"US.1","parent_user_id":"US.2"}]}}]}]}""", "entry[0].changes[0].value.contacts[0] has the key \"parent_user_id\" twice")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"system":{"user_id":"US.1","user_id":"US.2"}}]}}]}]}""", "entry[0].changes[0].value.messages[0].system has the key \"user_id\" twice")]
    public void TryParse_IdentifierKeyRepeated_Refused(string json, string expected)
    {
        // The copies could name two people: the router would link one and the upstream read the other.
        Assert.StartsWith(expected, Refuse(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("video")]
    [InlineData("document")]
    [InlineData("sticker")]
    [InlineData("audio")]
    public void TryParse_ParentUserIdWithMedia_Accepted(string media)
    {
        // A linked-account user sending a photo: each key appears once, so nothing may be called repeated.
        var parsed = Parse(Messages($$$"""
            "messages":[{"from_user_id":"{{{Bsuid}}}","from_parent_user_id":"{{{ParentBsuid}}}","id":"m1","type":"{{{media}}}","{{{media}}}":{"id":"1","caption":"job"}}]
            """));

        Assert.Equal((Bsuid, ParentBsuid, "job"), (parsed[0].UserKey, parsed[0].ParentUserId, TextOf(parsed, 0)));
    }
}
