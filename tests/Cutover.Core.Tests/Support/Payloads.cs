using System.Reflection;
using System.Text;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Support;

/// <summary>
/// Webhook bodies for parser tests: Meta's envelope around hand-written changes, the corpus of real
/// payloads (tests/corpus, copied from ../shared/corpus), and a parse that must succeed.
/// </summary>
internal static class Payloads
{
    public const string WabaId = "102290129340398";
    public const string PhoneNumberId = "106540352242922";

    public static string CorpusDirectory { get; } = typeof(Payloads).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(static a => a.Key == "CutoverCorpus").Value!;

    /// <summary>File names of every corpus payload, in order.</summary>
    public static IReadOnlyList<string> CorpusNames { get; } =
        [.. Directory.GetFiles(CorpusDirectory, "*.json").Select(static f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static byte[] Corpus(string name) => File.ReadAllBytes(Path.Combine(CorpusDirectory, name));

    /// <summary>Theory data: every corpus file name.</summary>
    public static TheoryData<string> CorpusTheory()
    {
        var data = new TheoryData<string>();
        foreach (var name in CorpusNames)
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>
    /// A <c>messages</c> change as Meta sends it (<c>value</c> first, <c>field</c> last), with
    /// <paramref name="valueProperties"/> after <c>messaging_product</c> and <c>metadata</c>.
    /// </summary>
    public static string MessagesChange(string valueProperties, string phoneNumberId = PhoneNumberId) => $$$"""
        {"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"{{{phoneNumberId}}}"},{{{valueProperties}}} },"field":"messages"}
        """;

    /// <summary>One entry holding <paramref name="changes"/> (each a whole <c>changes[]</c> item).</summary>
    public static string Entry(params string[] changes) => EntryWithId(WabaId, changes);

    public static string EntryWithId(string wabaId, params string[] changes) =>
        $$"""{"id":"{{wabaId}}","changes":[{{string.Join(",", changes)}}]}""";

    /// <summary>The envelope around <paramref name="entries"/> (each a whole <c>entry[]</c> item).</summary>
    public static string Envelope(params string[] entries) =>
        $$"""{"object":"whatsapp_business_account","entry":[{{string.Join(",", entries)}}]}""";

    /// <summary>One envelope, one entry, one messages change with <paramref name="valueProperties"/>.</summary>
    public static string Messages(string valueProperties) => Envelope(Entry(MessagesChange(valueProperties)));

    /// <summary>Parses <paramref name="json"/> and fails the test with the parser's error if it is refused.</summary>
    public static ParsedWebhook Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static ParsedWebhook Parse(byte[] body)
    {
        var parsed = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(body, parsed, out var error), error);
        Assert.Null(error);
        return parsed;
    }

    /// <summary>Parses <paramref name="json"/>, which must be refused, and returns the error.</summary>
    public static string Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    public static string Refuse(byte[] body)
    {
        var parsed = new ParsedWebhook();
        var ok = WebhookParser.TryParse(body, parsed, out var error);
        Assert.False(ok, "the body was accepted");
        Assert.NotNull(error);
        Assert.NotEqual(string.Empty, error.Trim());
        Assert.Equal(0, parsed.Count);
        return error;
    }

    /// <summary>The text of update <paramref name="index"/> with the separators trimmed.</summary>
    public static string TextOf(ParsedWebhook parsed, int index) => parsed.TextOf(index).ToString().Trim();
}
