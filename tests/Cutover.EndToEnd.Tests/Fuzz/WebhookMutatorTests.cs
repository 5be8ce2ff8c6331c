using System.Text.Json;
using Cutover.Core.Webhooks;
using Cutover.Testing;
using Cutover.Testing.Fuzz;

namespace Cutover.EndToEnd.Tests.Fuzz;

/// <summary>
/// The fuzz test's mutator: reproducible, mostly valid JSON, every family present, every level of repeated key, and
/// each case's expected answer true to its bytes (a case expecting 400 is not UTF-8 JSON, one expecting 401 is not
/// signed as Meta signs, one expecting 413 is over the limit, every other one is signed JSON within it).
/// </summary>
public sealed class WebhookMutatorTests
{
    private const int Cases = 2000;
    private static readonly WebhookSignature Signer = new(FuzzServer.AppSecret);

    [Fact]
    public void Create_SameSeedAndIndex_SameCaseAndAnotherSeedAnother()
    {
        var first = new WebhookMutator(7, FuzzServer.AppSecret);
        var again = new WebhookMutator(7, FuzzServer.AppSecret);
        var other = new WebhookMutator(8, FuzzServer.AppSecret);

        var differ = 0;
        for (var i = 0; i < 100; i++)
        {
            var a = first.Create(i);
            var b = again.Create(i);
            Assert.Equal(a.Body, b.Body);
            Assert.Equal(a.Signatures, b.Signatures);
            Assert.Equal(a.Describe(), b.Describe());
            differ += other.Create(i).Body.AsSpan().SequenceEqual(a.Body) ? 0 : 1;
        }

        Assert.True(differ > 80, $"another seed gave another case only {differ} times in 100");
    }

    [Fact]
    public void Create_ManyCases_ExpectationsMatchTheBytesMostReachRoutingAndKeysRepeatAtEveryLevel()
    {
        var mutator = new WebhookMutator(20261113, FuzzServer.AppSecret);
        var families = new HashSet<string>(StringComparer.Ordinal);
        var levels = new HashSet<string>(StringComparer.Ordinal);
        var validJson = 0;
        for (var i = 0; i < Cases; i++)
        {
            var c = mutator.Create(i);
            foreach (var m in c.Mutations)
            {
                families.Add(m.Kind);
                if (m.Kind == "duplicate")
                {
                    levels.Add(m.Variant.Split('/')[0]);
                }
            }

            var json = IsJson(c.Body);
            if (c.Mutations is [{ Kind: "duplicate" } only] && json)
            {
                var name = only.Variant.Split('/')[0];
                Assert.True(HasRepeated(JsonDocument.Parse(c.Body).RootElement, name), $"{c.Describe()}: no object repeats {name}");
            }

            validJson += json ? 1 : 0;
            var signedRight = c.Signatures.Count == 1 && c.Signatures[0] == Signer.Sign(c.Body);
            switch (c.Expectation)
            {
                case FuzzExpectation.Refuse413:
                    Assert.True(c.Body.Length > mutator.MaxBodyBytes, c.Describe());
                    break;
                case FuzzExpectation.Refuse401:
                    Assert.False(signedRight, $"{c.Describe()}: expects 401 but is signed as Meta signs");
                    break;
                case FuzzExpectation.Refuse400:
                    Assert.True(signedRight, c.Describe());
                    Assert.False(json, $"{c.Describe()}: expects 400 but is UTF-8 JSON");
                    break;
                default:
                    Assert.True(signedRight, c.Describe());
                    Assert.True(json, $"{c.Describe()}: expects routing but is not UTF-8 JSON");
                    Assert.True(c.Body.Length <= mutator.MaxBodyBytes, c.Describe());
                    break;
            }
        }

        Assert.True(validJson > Cases * 3 / 4, $"only {validJson} of {Cases} cases are valid JSON: too few reach routing");
        Assert.Superset(
            new HashSet<string>(["id", "user_key", "string", "number", "duplicate", "type_swap", "delete", "deep", "reorder", "extra", "escape", "huge", "invalid_utf8", "truncate", "signature", "size"]),
            families);
        Assert.Superset(new HashSet<string>(["object", "entry", "changes", "field", "value", "metadata", "messages", "statuses", "id", "from", "text"]), levels);
    }

    private static bool IsJson(byte[] body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4096 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool HasRepeated(JsonElement element, string name)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in element.EnumerateObject())
                {
                    count += property.NameEquals(name) ? 1 : 0;
                    if (count > 1 || HasRepeated(property.Value, name))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                return element.EnumerateArray().Any(e => HasRepeated(e, name));
            default:
                return false;
        }
    }
}
