using Cutover.Core.Webhooks;
using Cutover.Core.Tests.Support;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// Every real payload of the corpus (tests/corpus, named <c>NNN-kind[-detail].json</c>) parses into what
/// its name says, and every message or status in it gets a user key.
/// </summary>
public sealed class WebhookParserCorpusTests
{
    private static readonly HashSet<string> MessageTypes =
    [
        "text", "interactive", "button", "image", "audio", "video", "document", "sticker", "location", "contacts",
        "reaction", "order", "system", "unsupported", "request_welcome", "revoke", "edit",
    ];

    [Fact]
    public void CorpusNames_CopiedIntoTests_HoldTheWholeCorpus()
    {
        Assert.True(CorpusNames.Count >= 75, $"only {CorpusNames.Count} corpus files in {CorpusDirectory}");
    }

    [Theory]
    [MemberData(nameof(CorpusTheory), MemberType = typeof(Payloads))]
    public void TryParse_CorpusPayload_ParsesAsItsNameSays(string file)
    {
        var parsed = Parse(Corpus(file));

        Assert.Equal("whatsapp_business_account", parsed.ObjectType);
        var update = Assert.Single(parsed.Updates.ToArray());
        var kind = file.Split('-')[1].Replace(".json", string.Empty, StringComparison.Ordinal);
        if (kind == "status")
        {
            Assert.Equal(UpdateKind.Status, update.Kind);
            Assert.Equal(file.Split('-')[2].Replace(".json", string.Empty, StringComparison.Ordinal), update.Status);
        }
        else if (MessageTypes.Contains(kind))
        {
            Assert.Equal((UpdateKind.Message, kind), (update.Kind, update.MessageType));
        }
        else
        {
            Assert.Equal((UpdateKind.Change, kind, -1), (update.Kind, update.Field, update.Item));
        }
    }

    [Theory]
    [MemberData(nameof(CorpusTheory), MemberType = typeof(Payloads))]
    public void TryParse_CorpusPayload_EveryMessageAndStatusHasAUserKeyAndId(string file)
    {
        var parsed = Parse(Corpus(file));

        foreach (var update in parsed.Updates)
        {
            if (update.Kind != UpdateKind.Change)
            {
                Assert.False(string.IsNullOrWhiteSpace(update.UserKey), $"{file}: {update.Kind} {update.Id} has no user key");
                Assert.False(string.IsNullOrWhiteSpace(update.Id), $"{file}: {update.Kind} has no id");
                Assert.False(string.IsNullOrWhiteSpace(update.PhoneNumberId), $"{file}: {update.Kind} has no phone_number_id");
            }
        }
    }

    [Fact]
    public void TryParse_WholeCorpus_EveryKindSeen()
    {
        var kinds = new HashSet<UpdateKind>();
        var types = new HashSet<string>();
        foreach (var file in CorpusNames)
        {
            foreach (var update in Parse(Corpus(file)).Updates)
            {
                kinds.Add(update.Kind);
                if (update.MessageType is not null)
                {
                    types.Add(update.MessageType);
                }
            }
        }

        Assert.Equal([UpdateKind.Message, UpdateKind.Status, UpdateKind.Change], kinds.Order());
        Assert.Equal(MessageTypes.Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
    }
}
