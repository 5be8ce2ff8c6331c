using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

/// <summary>
/// A stranger's input: thousands of broken payloads, each correctly signed so it reaches the parser, through
/// the real server at 50% so that what still parses is also split and re-signed. Every answer must be a
/// deliberate one (200, 400, 401 or 413): never a 5xx, never a dropped connection, and the server keeps serving.
/// </summary>
public sealed class MutatedPayloadTests : RouterTest
{
    private const int Payloads = 5_000;
    private const int Limit = 256 * 1024;
    private const string Placeholder = "__cutover_fuzz__";
    private static readonly HttpStatusCode[] Deliberate =
        [HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.RequestEntityTooLarge];

    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Cutover:Ingress:MaxBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Post_FiveThousandMutatedSignedPayloads_EveryAnswerDeliberateAndServerKeepsServing()
    {
        await Router.SetPercentAsync(50);
        var seeds = Seeds();
        var random = new Random(20261125);
        var cases = Enumerable.Range(0, Payloads).Select(i => Mutate(seeds[random.Next(seeds.Count)], new Random(random.Next()), i)).ToList();
        var answers = new ConcurrentDictionary<HttpStatusCode, int>();
        var wrong = new ConcurrentQueue<string>();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (c, _) =>
        {
            try
            {
                using var response = await Router.PostWebhookAsync(c.Body);
                answers.AddOrUpdate(response.StatusCode, 1, static (_, n) => n + 1);
                if (!Deliberate.Contains(response.StatusCode))
                {
                    wrong.Enqueue($"{c.What}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
                }
            }
            catch (HttpRequestException ex)
            {
                wrong.Enqueue($"{c.What}: connection failed: {ex.Message}");
            }
        });

        TestContext.Current.TestOutputHelper?.WriteLine($"answers: {Describe(answers)}");
        Assert.True(wrong.IsEmpty, $"{wrong.Count} answers were not 200/400/401/413:\n{string.Join('\n', wrong.Take(20))}");
        Assert.Equal(Payloads, answers.Values.Sum());

        // The mix reached every outcome, so the parser and the splitter were both exercised.
        Assert.True(answers.GetValueOrDefault(HttpStatusCode.OK) > Payloads / 20, $"answers: {Describe(answers)}");
        Assert.True(answers.GetValueOrDefault(HttpStatusCode.BadRequest) > Payloads / 20, $"answers: {Describe(answers)}");
        Assert.True(answers.GetValueOrDefault(HttpStatusCode.RequestEntityTooLarge) > 0, $"answers: {Describe(answers)}");

        // Still serving: a good webhook is delivered and the health endpoint answers.
        Upstreams.Clear();
        var good = WebhookBuilder.Of(Msg.Text("250788000001", "I need a job"));
        using var after = await Router.PostWebhookAsync(good);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(good, Assert.Single(Upstreams.Requests).Body);
        using var healthz = await Router.Http.GetAsync("healthz", Cancel);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }

    private static string Describe(ConcurrentDictionary<HttpStatusCode, int> answers) =>
        string.Join(", ", answers.OrderBy(static a => a.Key).Select(static a => $"{(int)a.Key}×{a.Value}"));

    /// <summary>The corpus plus batches of several users over several domains, so that parsed mutants are also split.</summary>
    private static List<byte[]> Seeds()
    {
        var seeds = Corpus.Files.Select(File.ReadAllBytes).ToList();
        var texts = new[] { "I need a job", "house for rent", "selling my phone", "taxi please", "yes", "muraho" };
        for (var i = 0; i < 20; i++)
        {
            var updates = Enumerable.Range(0, 2 + (i % 6)).Select(u => (u % 3) switch
            {
                0 => Msg.Text($"2507{i:D4}{u:D4}", texts[(i + u) % texts.Length]),
                1 => Msg.Status($"2507{i:D4}{u:D4}"),
                _ => Msg.Button($"2507{i:D4}{u:D4}", "job_apply_1"),
            }).ToArray();
            seeds.Add(new WebhookBuilder().Change(updates[..(updates.Length / 2)]).Entry().Change(updates[(updates.Length / 2)..]).Build());
        }

        return seeds;
    }

    private static (byte[] Body, string What) Mutate(byte[] seed, Random random, int index)
    {
        var body = seed;
        var what = new List<string>();
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            var kind = random.Next(10);
            what.Add(kind switch
            {
                0 => "truncated",
                1 => "wrong type",
                2 => "huge number",
                3 => "deep nesting",
                4 => "invalid UTF-8",
                5 => "missing field",
                6 => "bytes flipped",
                7 => "bad escape",
                8 => "duplicate key",
                _ => "oversized",
            });
            body = Safely(body, kind, random);
        }

        return (body, $"#{index} {string.Join(" + ", what)}");
    }

    /// <summary>One mutation; when the tree of an already broken document cannot even be written back, the bytes stay as they are.</summary>
    private static byte[] Safely(byte[] body, int kind, Random random)
    {
        try
        {
            return kind switch
            {
                0 => body[..random.Next(body.Length)],
                1 => Structural(body, random, static (_, random) => WrongType(random)),
                2 => Structural(body, random, static (_, random) => Raw(random.Next(4) switch
                {
                    0 => "1e999999",
                    1 => "123456789012345678901234567890123456789012345678901234567890",
                    2 => "-0.00000000000000000000000000000000001e-400",
                    _ => "18446744073709551616",
                })),
                3 => Structural(body, random, static (_, random) =>
                {
                    var depth = 60 + random.Next(2_000);
                    return Raw(random.Next(2) == 0
                        ? new string('[', depth) + new string(']', depth)
                        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
                }),
                4 => InsertIntoString(body, random, random.Next(4) switch
                {
                    0 => [0xFF],
                    1 => [0xC3, 0x28],
                    2 => [0xED, 0xA0, 0x80],
                    _ => [0xF0, 0x9F, 0x98],
                }),
                5 => Remove(body, random),
                6 => Flip(body, random),
                7 => InsertIntoString(body, random, random.Next(3) switch
                {
                    0 => "\\uD800"u8.ToArray(),
                    1 => "\\u12"u8.ToArray(),
                    _ => "\\q"u8.ToArray(),
                }),
                8 => Splice(body, 1, "\"entry\":5,\"object\":[],"u8),
                _ => Structural(body, random, static (_, _) => JsonValue.Create(new string('y', Limit + 1))),
            };
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return body;
        }
    }

    /// <summary>Replaces a random node of the document; bytes that no longer parse as JSON are left as they are.</summary>
    private static byte[] Structural(byte[] body, Random random, Func<JsonNode?, Random, JsonNode?> replace)
    {
        if (!TryRead(body, out var root, out var nodes))
        {
            return body;
        }

        var raws = new List<string>();
        if (nodes.Count > 1)
        {
            var node = nodes[1 + random.Next(nodes.Count - 1)];
            var replacement = replace(node, random);
            if (replacement is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(Placeholder, StringComparison.Ordinal))
            {
                raws.Add(s[Placeholder.Length..]);
                replacement = JsonValue.Create(Placeholder + (raws.Count - 1));
            }

            switch (node.Parent)
            {
                case JsonObject o:
                    o[node.GetPropertyName()] = replacement;
                    break;
                case JsonArray a:
                    a[node.GetElementIndex()] = replacement;
                    break;
            }
        }

        var text = root.ToJsonString();
        for (var i = 0; i < raws.Count; i++)
        {
            text = text.Replace($"\"{Placeholder}{i}\"", raws[i], StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static JsonNode Raw(string json) => JsonValue.Create(Placeholder + json);

    private static JsonNode? WrongType(Random random) => random.Next(7) switch
    {
        0 => JsonValue.Create(42),
        1 => JsonValue.Create("text"),
        2 => JsonValue.Create(true),
        3 => null,
        4 => new JsonArray(),
        5 => new JsonObject(),
        _ => new JsonArray(1, new JsonArray("x"), new JsonObject { ["id"] = 7 }),
    };

    private static byte[] Remove(byte[] body, Random random)
    {
        if (!TryRead(body, out var root, out var nodes))
        {
            return body;
        }

        if (nodes.Count > 1)
        {
            var node = nodes[1 + random.Next(nodes.Count - 1)];
            switch (node.Parent)
            {
                case JsonObject o:
                    o.Remove(node.GetPropertyName());
                    break;
                case JsonArray a:
                    a.RemoveAt(node.GetElementIndex());
                    break;
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>The document and all its nodes, or false when the bytes are no longer JSON that a node tree accepts.</summary>
    private static bool TryRead(byte[] body, out JsonNode root, out List<JsonNode> nodes)
    {
        nodes = [];
        try
        {
            root = JsonNode.Parse(body)!;
            Collect(root, nodes);
            return root is not null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            root = null!;
            return false;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null)
        {
            return;
        }

        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Collect(child, into);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, into);
                }

                break;
        }
    }

    /// <summary>Inserts raw bytes just after a random opening quote, that is inside a string or a property name.</summary>
    private static byte[] InsertIntoString(byte[] body, Random random, byte[] bytes)
    {
        var quotes = Enumerable.Range(0, body.Length).Where(i => body[i] == (byte)'"').ToList();
        return quotes.Count == 0 ? Splice(body, 0, bytes) : Splice(body, quotes[random.Next(quotes.Count)] + 1, bytes);
    }

    private static byte[] Splice(byte[] body, int at, ReadOnlySpan<byte> bytes)
    {
        at = Math.Min(at, body.Length);
        return [.. body.AsSpan(0, at), .. bytes, .. body.AsSpan(at)];
    }

    private static byte[] Flip(byte[] body, Random random)
    {
        var copy = body.ToArray();
        for (var i = 0; i < 1 + random.Next(8) && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }
}
