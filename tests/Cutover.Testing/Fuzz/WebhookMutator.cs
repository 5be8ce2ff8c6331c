using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Cutover.Core.Webhooks;
using static Cutover.Testing.Fuzz.FuzzExpectation;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// Makes signed, grammar-aware mutations of real webhooks: seeds are the corpus payloads and synthesised batches
/// (several entries, changes, messages and statuses of several users), parsed as JSON; a node is picked by path and
/// one to three mutations are applied (odd ids, user keys, strings and numbers, repeated keys at every level the
/// router reads, type swaps, deletions, deep nesting, reordering, unknown fields, escaped names, huge values); a
/// share of cases is then broken at the byte level (invalid UTF-8 inside a string, truncation, a body over the size
/// limit) or sent with a signature header Meta would never send. Every case is reproducible from (seed, index).
/// </summary>
/// <remarks>
/// Most cases stay valid JSON so they reach routing and splitting, where the defects hide: an odd value is only
/// interesting once Cutover has parsed it and put it somewhere (a header, a split part, a log).
/// </remarks>
public sealed class WebhookMutator
{
    public const int DefaultMaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>The id that once made an upstream receive an empty POST and then <c>GET /smuggled</c> (issue 13).</summary>
    public const string SmugglingId = "wamid.x\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: evil\r\nX-Pad: ";

    private static readonly Lazy<(string Name, byte[] Body)[]> CorpusSeeds =
        new(static () => [.. Corpus.Names.Select(static n => (n, Corpus.Read(n)))]);

    private static readonly HashSet<string> UserKeyNames = new(StringComparer.Ordinal)
    {
        "from", "recipient_id", "wa_id", "from_user_id", "user_id", "recipient_user_id",
    };

    private static readonly string[] DuplicateLevels =
        ["object", "entry", "changes", "field", "value", "metadata", "messages", "statuses", "id", "from", "text"];

    private static readonly HashSet<string> StructuralNames = new(StringComparer.Ordinal)
    {
        "entry", "changes", "value", "messages", "statuses", "metadata", "contacts", "text", "interactive", "button_reply",
        "list_reply", "profile", "errors", "field", "object", "button", "image", "conversation", "pricing",
    };

    private static readonly HashSet<string> ImportantNames = new(StringComparer.Ordinal)
    {
        "entry", "changes", "value", "field", "messages", "statuses", "id", "from", "metadata", "object", "contacts", "type",
        "text", "recipient_id", "wa_id", "timestamp", "status", "phone_number_id", "body",
    };

    private static readonly HashSet<string> EscapableNames = new(StringComparer.Ordinal)
    {
        "object", "entry", "changes", "value", "field", "metadata", "phone_number_id", "messages", "statuses", "from", "id",
        "text", "body", "recipient_id", "wa_id", "contacts", "interactive", "button_reply",
    };

    private static readonly Regex ItemId = new(@"\.(messages|statuses)\[\d+\]\.id$", RegexOptions.CultureInvariant);

    /// <summary>Odd values for ids, user keys and strings; <c>{0}</c> in the text is the original (or a realistic) prefix.</summary>
    private static readonly OddValue[] OddValues =
    [
        new("crlf", p => p + "A\r\nX-Injected: crlf", Deliver),
        new("lf", p => p + "A\nX-Injected: lf", Deliver),
        new("cr", p => p + "A\rX-Injected: cr", Deliver),
        new("smuggle", _ => SmugglingId, Deliver),
        new("non_ascii", p => p + "été", Deliver),
        new("non_ascii_escaped", p => p + "été", Deliver, EscapeAll: true),
        new("emoji", p => p + "😀", Deliver),
        new("nul", p => p + "\0x", Deliver),
        new("esc", p => p + "\u001b[31mred\u001b]0;title\u0007", Deliver),
        new("tab", p => p + "\tx", Deliver),
        new("del", p => p + "\u007f", Deliver),
        new("c1_and_line_separators", p => p + "\u0085\u2028\u2029", Deliver),
        new("spaces", p => " " + p + " x ", Deliver),
        new("header_syntax", p => p + "a:b,c;d=e\"f\\g", Deliver),
        new("percent_crlf", p => p + "%0d%0aX-Injected:%20pct", Deliver),
        new("empty", _ => string.Empty, Deliver),
        new("long_4k", _ => new string('A', 4096), Deliver),
        new("huge_1mb", _ => new string('B', 1024 * 1024), DeliverOrRefuse),
        new("lone_surrogate", p => p + "\ud800x", DeliverOrRefuse),
    ];

    private static readonly string[] NumberTexts =
    [
        "1e999", "-1e999", "-1", "0", "-0", "1.5", "123456789012345678901234567890123456789", "1E-400", "9223372036854775808",
        "-9223372036854775809", "0.0000000000000000000000001", "1e+308", "18446744073709551616",
    ];

    private static readonly string[] SwapTexts = ["null", "\"x\"", "1", "true", "[]", "{}", "[{}]", "[null]", "{\"a\":[1]}", "\"\"", "[\"x\"]"];

    private static readonly string[] ExtraNames = ["x_extra", "x_unknown_field", "é_clé", "x\r\ny", "x\u0000", "__proto__", "constructor", "", "$ref", "X-Injected: 1"];

    private static readonly (string Raw, FuzzExpectation Expect)[] ExtraValues =
    [
        ("\"v\"", Deliver), ("1e999", Deliver), ("{\"nested\":[1,2,{\"a\":null}],\"b\":\"\\r\\n\"}", Deliver),
        ("\"\\r\\nX-Injected: 1\"", Deliver), ("[]", Deliver), ("null", Deliver), ("true", Deliver), ("-0.0e-99999", Deliver),
        ("\"\\u0000\\u001b[2J\"", Deliver), ("\"été 😀\"", Deliver), ("\"\\ud800\"", DeliverOrRefuse), ("\"\\udc00\\ud800\"", DeliverOrRefuse),
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0xC3], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0xE9], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly string[] Texts =
    [
        "I need a job", "looking for work, any vacancy?", "je cherche un emploi", "ndashaka akazi", "I want to buy shoes",
        "what is the price of this product", "acheter une robe", "house for rent in Kigali", "apartment with 2 rooms",
        "inzu yo gukodesha", "hello", "yes", "thanks", "ok 👍", "different parent current border", "I need a ride to town",
        "my insurance claim", "update my profile", "carrière", "Ça coûte combien ?",
    ];

    private static readonly string[] ButtonIds = ["job_apply_12", "jobs_list", "market_item_9", "shop_cart", "order_55", "prop_view_3", "rent_now", "ride_book", "ins_claim", "profile_edit", "unknown_btn"];

    private static readonly string[] StatusValues = ["sent", "delivered", "read", "failed", "played"];

    private static readonly string[] PhoneNumberIds = [WebhookBuilder.DefaultPhoneNumberId, "1122334455667", "109876543210987"];

    private static readonly (string Name, double Weight, Func<WebhookMutator, JsonTree, Random, Mutation?> Apply)[] TreeFamilies =
    [
        ("id", 18, static (m, t, r) => m.OddId(t, r)),
        ("user_key", 12, static (m, t, r) => m.OddUserKey(t, r)),
        ("string", 12, static (m, t, r) => m.OddString(t, r)),
        ("number", 6, static (m, t, r) => m.OddNumber(t, r)),
        ("duplicate", 14, static (m, t, r) => m.DuplicateKey(t, r)),
        ("type_swap", 7, static (_, t, r) => SwapType(t, r)),
        ("delete", 7, static (_, t, r) => Delete(t, r)),
        ("deep", 2, static (_, t, r) => DeepNesting(t, r)),
        ("reorder", 4, static (_, t, r) => Reorder(t, r)),
        ("extra", 5, static (_, t, r) => ExtraFields(t, r)),
        ("escape", 4, static (_, t, r) => EscapeName(t, r)),
        ("huge", 2, static (_, t, r) => HugeValue(t, r)),
    ];

    private readonly WebhookSignature _signer;
    private readonly WebhookSignature _otherSigner = new("not-the-app-secret-0123456789");

    public WebhookMutator(int seed, string appSecret, int maxBodyBytes = DefaultMaxBodyBytes)
    {
        Seed = seed;
        MaxBodyBytes = maxBodyBytes;
        _signer = new WebhookSignature(appSecret);
    }

    public int Seed { get; }

    public int MaxBodyBytes { get; }

    private enum Shape
    {
        Tree,
        Clean,
        InvalidUtf8,
        Truncate,
        Signature,
        Oversize,
    }

    /// <summary>The case <paramref name="index"/> of this seed; the same (seed, index) always gives the same case.</summary>
    public FuzzCase Create(int index)
    {
        var random = new CaseRandom(CaseSeed(Seed, index), index);
        var (origin, seedBody) = PickSeed(random);
        var roll = random.NextDouble();
        var shape = roll switch
        {
            < 0.036 => Shape.Clean,
            < 0.106 => Shape.InvalidUtf8,
            < 0.146 => Shape.Truncate,
            < 0.216 => Shape.Signature,
            < 0.220 => Shape.Oversize,
            _ => Shape.Tree,
        };

        var mutations = new List<Mutation>();
        byte[] body;
        if (shape == Shape.Clean)
        {
            body = seedBody;
        }
        else
        {
            var tree = JsonTree.Parse(seedBody);
            var count = shape == Shape.Tree
                ? random.NextDouble() switch { < 0.7 => 1, < 0.9 => 2, _ => 3 }
                : random.NextDouble() < 0.4 ? 1 : 0;
            for (var i = 0; i < count; i++)
            {
                mutations.Add(ApplyTreeMutation(tree, random));
            }

            body = shape == Shape.Oversize ? Oversize(tree, random, mutations) : Encoding.UTF8.GetBytes(tree.ToJson());
            if (shape == Shape.InvalidUtf8)
            {
                body = InsertInvalidUtf8(body, random, mutations);
            }
            else if (shape == Shape.Truncate)
            {
                var at = random.Next(0, body.Length - 1);
                mutations.Add(new Mutation("truncate", at == 0 ? "empty" : "cut", $"byte {at} of {body.Length}", Refuse400, At: at));
                body = body[..at];
            }
        }

        if (body.Length > MaxBodyBytes && !mutations.Any(static m => m.Expectation == Refuse413))
        {
            // Several huge values together can pass the limit: then the size check answers first.
            mutations.Add(new Mutation("size", "over_limit", $"{body.Length} bytes (limit {MaxBodyBytes})", Refuse413));
        }

        IReadOnlyList<string> signatures = [_signer.Sign(body)];
        if (shape == Shape.Signature)
        {
            signatures = MutateSignature(body, seedBody, random, mutations);
        }

        var expectation = mutations.Count == 0 ? Deliver : mutations.Max(static m => m.Expectation);
        return new FuzzCase(Seed, index, origin, mutations, body, signatures, expectation, seedBody);
    }

    /// <summary>A well-formed, signed webhook from a fresh user, for checks before and after a run.</summary>
    public FuzzCase Plain(int index, string text = "I need a job")
    {
        var body = WebhookBuilder.Of(new Msg($"25078{index % 100000:D5}1", "text", text, Id: $"wamid.PLAIN{Seed}.{index}"));
        return new FuzzCase(Seed, index, "plain", [], body, [_signer.Sign(body)], Deliver, body);
    }

    private static int CaseSeed(int seed, int index)
    {
        // SplitMix64 of (seed, index): neighbouring indexes give unrelated streams.
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private (string Origin, byte[] Body) PickSeed(CaseRandom random)
    {
        if (random.NextDouble() < 0.45)
        {
            var seeds = CorpusSeeds.Value;
            var (name, body) = seeds[random.Next(seeds.Length)];
            return (name, body);
        }

        return Batch(random);
    }

    /// <summary>Several entries × changes of messages and statuses from several users, as Meta batches them.</summary>
    private (string Origin, byte[] Body) Batch(CaseRandom random)
    {
        var big = random.NextDouble() < 0.01;
        var entries = big ? 1 : random.NextDouble() switch { < 0.6 => 1, < 0.9 => 2, _ => 3 };
        var users = Enumerable.Range(0, big ? 400 : random.Next(1, 7)).Select(_ => User(random)).ToArray();
        var builder = new WebhookBuilder();
        var updates = 0;
        for (var e = 0; e < entries; e++)
        {
            builder.Entry(random.NextDouble() < 0.8 ? "102290129340398" : "10229012934" + random.Next(1000, 9999));
            var changes = big ? random.Next(1, 5) : random.NextDouble() switch { < 0.6 => 1, < 0.9 => 2, _ => 3 };
            for (var c = 0; c < changes; c++)
            {
                var count = big ? random.Next(50, 250) : random.Next(1, 7);
                var msgs = new Msg[count];
                for (var i = 0; i < count; i++)
                {
                    msgs[i] = Update(random, users[random.Next(users.Length)], $"wamid.F{Seed}.{random.Index}.{updates++}");
                }

                builder.Change(PhoneNumberIds[random.Next(PhoneNumberIds.Length)], msgs);
            }
        }

        return ($"batch({entries}x, {updates} updates, {users.Length} users)", builder.Build());
    }

    private static (string Key, bool UsernameOnly) User(Random random) =>
        random.NextDouble() < 0.1
            ? ($"RW.fuzz{random.Next(0, 500)}", true)
            : ($"2507880{random.Next(0, 3000):D5}", false);

    private static Msg Update(Random random, (string Key, bool UsernameOnly) user, string id)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.55 => new Msg(user.Key, "text", Texts[random.Next(Texts.Length)], Id: id, UsernameOnly: user.UsernameOnly),
            < 0.75 => new Msg(user.Key, "status", StatusValues[random.Next(StatusValues.Length)], Id: id, UsernameOnly: user.UsernameOnly),
            < 0.83 => new Msg(user.Key, "button_reply", "Choose", Id: id, ButtonId: ButtonIds[random.Next(ButtonIds.Length)], UsernameOnly: user.UsernameOnly),
            < 0.87 => new Msg(user.Key, "list_reply", "Pick", Id: id, ButtonId: ButtonIds[random.Next(ButtonIds.Length)], UsernameOnly: user.UsernameOnly),
            < 0.91 => new Msg(user.Key, "button", "Yes", Id: id, ButtonId: ButtonIds[random.Next(ButtonIds.Length)], UsernameOnly: user.UsernameOnly),
            < 0.97 => new Msg(user.Key, "image", random.NextDouble() < 0.5 ? null : Texts[random.Next(Texts.Length)], Id: id, UsernameOnly: user.UsernameOnly),
            _ => new Msg(user.Key, "location", Id: id, UsernameOnly: user.UsernameOnly),
        };
    }

    private Mutation ApplyTreeMutation(JsonTree tree, Random random)
    {
        var total = TreeFamilies.Sum(static f => f.Weight);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var pick = random.NextDouble() * total;
            foreach (var family in TreeFamilies)
            {
                pick -= family.Weight;
                if (pick < 0)
                {
                    if (family.Apply(this, tree, random) is { } mutation)
                    {
                        return mutation;
                    }

                    break;
                }
            }
        }

        // Every seed has objects, so reordering always applies.
        return Reorder(tree, random)!;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string PlainOr(JsonTree node, string fallback) =>
        node is JsonTree.Scalar { PlainString: { Length: > 0 and < 200 } plain } ? plain : fallback;

    private Mutation? SetOdd(string kind, JsonTree.Slot slot, string prefix, Random random, IReadOnlyList<OddValue> values)
    {
        var odd = Pick(random, values);
        var text = odd.Make(prefix);
        slot.Set(JsonTree.String(text, odd.EscapeAll));
        return new Mutation(kind, odd.Name, slot.Path, odd.Expect, Needle(text));
    }

    private Mutation? OddId(JsonTree tree, Random random)
    {
        var slots = tree.Slots();
        var ids = slots.Where(static s => s.Name == "id" && ItemId.IsMatch(s.Path)).ToList();
        if (ids.Count == 0)
        {
            ids = [.. slots.Where(static s => s.Name == "id")];
        }

        return ids.Count == 0 ? null : SetOdd("id", Pick(random, ids), "wamid.", random, OddValues);
    }

    private Mutation? OddUserKey(JsonTree tree, Random random)
    {
        var keys = tree.Slots().Where(static s => s.Name is not null && UserKeyNames.Contains(s.Name)).ToList();
        return keys.Count == 0 ? null : SetOdd("user_key", Pick(random, keys), "250788", random, OddValues);
    }

    private Mutation? OddString(JsonTree tree, Random random)
    {
        var strings = tree.Slots()
            .Where(static s => s.Node is JsonTree.Scalar { IsString: true } && s.Name is not "id" && (s.Name is null || !UserKeyNames.Contains(s.Name)))
            .ToList();
        if (strings.Count == 0)
        {
            return null;
        }

        var slot = Pick(random, strings);
        var values = OddValues.Where(static v => v.Name is not ("long_4k" or "huge_1mb")).Append(new OddValue("huge_256k", static p => p + new string('x', 256 * 1024), DeliverOrRefuse)).ToList();
        return SetOdd("string", slot, PlainOr(slot.Node, "s"), random, values);
    }

    private Mutation? OddNumber(JsonTree tree, Random random)
    {
        var numbers = tree.Slots()
            .Where(static s => s.Node is JsonTree.Scalar { IsNumber: true } || (s.Node is JsonTree.Scalar { PlainString: { Length: > 0 } p } && p.All(char.IsAsciiDigit)))
            .ToList();
        if (numbers.Count == 0)
        {
            return null;
        }

        var slot = Pick(random, numbers);
        var text = Pick(random, NumberTexts);
        slot.Set(JsonTree.Raw(text));
        return new Mutation("number", text, slot.Path, DeliverOrRefuse, text);
    }

    /// <summary>A property repeated in its object: the same value, another user's (other keys and ids), or an empty one; before or after.</summary>
    private Mutation? DuplicateKey(JsonTree tree, Random random)
    {
        var slots = tree.Slots().Where(static s => s.Name is not null && DuplicateLevels.Contains(s.Name)).ToList();
        if (slots.Count == 0)
        {
            return null;
        }

        var level = Pick(random, slots.Select(static s => s.Name!).Distinct().ToList());
        var slot = Pick(random, slots.Where(s => s.Name == level).ToList());
        var variant = random.Next(3) switch { 0 => "copy", 1 => "other_user", _ => "empty" };
        var value = variant switch
        {
            "copy" => slot.Node.Clone(),
            "other_user" => OtherUser(slot.Name!, slot.Node, (CaseRandom)random),
            _ => EmptyLike(slot.Node),
        };
        var after = random.Next(2) == 0;
        var property = slot.Property!;
        ((JsonTree.Obj)slot.Container).Properties.Insert(after ? slot.Index + 1 : slot.Index, new JsonTree.Property(property.RawName, property.Name, value));
        return new Mutation("duplicate", $"{level}/{variant}/{(after ? "after" : "before")}", slot.Path, DeliverOrRefuse);
    }

    /// <summary>A copy of <paramref name="node"/> as if from another user: user keys, ids and texts changed.</summary>
    private JsonTree OtherUser(string name, JsonTree node, CaseRandom random)
    {
        var user = $"2507889{random.Next(10000, 99999)}";
        switch (node)
        {
            case JsonTree.Scalar:
                return name switch
                {
                    "field" => JsonTree.String(random.Next(2) == 0 ? "statuses" : "account_update"),
                    "object" => JsonTree.String("page"),
                    "id" => JsonTree.String($"wamid.DUP{Seed}.{random.Index}"),
                    "from" => JsonTree.String(user),
                    _ => JsonTree.String("dup"),
                };
            default:
                var copy = node.Clone();
                foreach (var slot in copy.Slots())
                {
                    if (slot.Node is not JsonTree.Scalar { IsString: true })
                    {
                        continue;
                    }

                    if (slot.Name is not null && UserKeyNames.Contains(slot.Name))
                    {
                        slot.Set(JsonTree.String(user));
                    }
                    else if (slot.Name == "id")
                    {
                        slot.Set(JsonTree.String(PlainOr(slot.Node, "wamid.") + "-dup"));
                    }
                    else if (slot.Name == "body")
                    {
                        slot.Set(JsonTree.String("house for rent, dup"));
                    }
                }

                return copy;
        }
    }

    private static JsonTree EmptyLike(JsonTree node) => node switch
    {
        JsonTree.Obj => new JsonTree.Obj(),
        JsonTree.Arr => new JsonTree.Arr(),
        JsonTree.Scalar { IsString: true } => JsonTree.String(string.Empty),
        _ => JsonTree.Raw("null"),
    };

    private static Mutation? SwapType(JsonTree tree, Random random)
    {
        var slots = tree.Slots();
        if (slots.Count == 0)
        {
            return null;
        }

        var structural = slots.Where(static s => s.Name is not null && StructuralNames.Contains(s.Name)).ToList();
        var slot = structural.Count > 0 && random.NextDouble() < 0.7 ? Pick(random, structural) : Pick(random, slots);
        var kind = slot.Kind;
        var choices = SwapTexts.Where(t => JsonTree.KindOf(JsonTree.Raw(t)) != kind).ToList();
        var text = Pick(random, choices);
        slot.Set(JsonTree.Raw(text));
        return new Mutation("type_swap", $"{kind}->{text}", slot.Path, DeliverOrRefuse, text);
    }

    private static Mutation? Delete(JsonTree tree, Random random)
    {
        var slots = tree.Slots();
        if (slots.Count == 0)
        {
            return null;
        }

        var important = slots.Where(static s => s.Name is not null && ImportantNames.Contains(s.Name)).ToList();
        var slot = important.Count > 0 && random.NextDouble() < 0.7 ? Pick(random, important) : Pick(random, slots);
        slot.Remove();
        return new Mutation("delete", slot.Name ?? "item", slot.Path, DeliverOrRefuse);
    }

    private static Mutation? DeepNesting(JsonTree tree, Random random)
    {
        var objects = tree.Slots().Where(static s => s.Node is JsonTree.Obj).Select(static s => (s.Path, Obj: (JsonTree.Obj)s.Node)).ToList();
        objects.Add(("(root)", (JsonTree.Obj)tree));
        var (path, obj) = Pick(random, objects);
        var depth = Pick(random, new[] { 8, 32, 60, 70, 200, 2000 });
        var arrays = random.Next(2) == 0;
        var text = arrays
            ? new string('[', depth) + "1" + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        obj.Properties.Insert(random.Next(obj.Properties.Count + 1), new JsonTree.Property("\"x_deep\"", "x_deep", JsonTree.Raw(text)));
        return new Mutation("deep", $"{(arrays ? "arrays" : "objects")}_{depth}", path, DeliverOrRefuse);
    }

    private static Mutation? Reorder(JsonTree tree, Random random)
    {
        var slots = tree.Slots();
        var objects = slots.Where(static s => s.Node is JsonTree.Obj { Properties.Count: > 1 }).Select(static s => (s.Path, Node: s.Node)).ToList();
        if (tree is JsonTree.Obj { Properties.Count: > 1 })
        {
            objects.Add(("(root)", tree));
        }

        var arrays = slots.Where(static s => s.Node is JsonTree.Arr { Items.Count: > 1 } && s.Name is "messages" or "statuses" or "entry" or "changes" or "contacts")
            .Select(static s => (s.Path, Node: s.Node)).ToList();
        var roll = random.Next(3);
        if (roll == 2 && arrays.Count > 0)
        {
            var (path, node) = Pick(random, arrays);
            Shuffle(((JsonTree.Arr)node).Items, random);
            return new Mutation("reorder", "items", path, Deliver);
        }

        if (objects.Count == 0)
        {
            return null;
        }

        if (roll == 1)
        {
            foreach (var (_, node) in objects)
            {
                Shuffle(((JsonTree.Obj)node).Properties, random);
            }

            return new Mutation("reorder", "all_objects", "*", Deliver);
        }

        var (at, one) = Pick(random, objects);
        Shuffle(((JsonTree.Obj)one).Properties, random);
        return new Mutation("reorder", "one_object", at, Deliver);
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static Mutation? ExtraFields(JsonTree tree, Random random)
    {
        var objects = tree.Slots().Where(static s => s.Node is JsonTree.Obj).Select(static s => (s.Path, Obj: (JsonTree.Obj)s.Node)).ToList();
        objects.Add(("(root)", (JsonTree.Obj)tree));
        var count = random.Next(1, 4);
        var expect = Deliver;
        var where = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (path, obj) = Pick(random, objects);
            var name = Pick(random, ExtraNames);
            if (obj.Properties.Any(p => p.Name == name))
            {
                continue;
            }

            var (raw, valueExpect) = Pick(random, ExtraValues);
            expect = (FuzzExpectation)Math.Max((int)expect, (int)valueExpect);
            obj.Properties.Insert(random.Next(obj.Properties.Count + 1), new JsonTree.Property(JsonTree.Quote(name), name, JsonTree.Raw(raw)));
            where.Add($"{path}.{JsonTree.Quote(name)}={raw}");
        }

        return where.Count == 0 ? null : new Mutation("extra", $"{where.Count}_fields", string.Join(", ", where), expect);
    }

    /// <summary>A name the router reads written with \u escapes (<c>"\u0066rom"</c>), or a string value written so.</summary>
    private static Mutation? EscapeName(JsonTree tree, Random random)
    {
        var slots = tree.Slots();
        if (random.Next(3) > 0)
        {
            var names = slots.Where(static s => s.Name is not null && EscapableNames.Contains(s.Name)).ToList();
            if (names.Count > 0)
            {
                var slot = Pick(random, names);
                slot.Property!.RawName = JsonTree.Quote(slot.Name!, escapeAll: true);
                return new Mutation("escape", "name", slot.Path, Deliver, slot.Property.RawName);
            }
        }

        var strings = slots.Where(static s => s.Node is JsonTree.Scalar { PlainString.Length: > 0 and < 200 }).ToList();
        if (strings.Count == 0)
        {
            return null;
        }

        var value = Pick(random, strings);
        var plain = ((JsonTree.Scalar)value.Node).PlainString!;
        value.Set(JsonTree.String(plain, escapeAll: true));
        return new Mutation("escape", "value", value.Path, Deliver, JsonTree.Quote(plain, escapeAll: true)[..Math.Min(30, plain.Length * 6)]);
    }

    private static Mutation? HugeValue(JsonTree tree, Random random)
    {
        var size = Pick(random, new[] { 64 * 1024, 512 * 1024, 1024 * 1024, 2 * 1024 * 1024 });
        var bodies = tree.Slots().Where(static s => s.Name is "body" or "caption" && s.Node is JsonTree.Scalar { IsString: true }).ToList();
        if (bodies.Count > 0 && random.Next(2) == 0)
        {
            var slot = Pick(random, bodies);
            slot.Set(JsonTree.String("I need a job " + new string('j', size)));
            return new Mutation("huge", $"text_{size / 1024}k", slot.Path, Deliver);
        }

        var objects = tree.Slots().Where(static s => s.Node is JsonTree.Obj).Select(static s => (s.Path, Obj: (JsonTree.Obj)s.Node)).ToList();
        objects.Add(("(root)", (JsonTree.Obj)tree));
        var (path, obj) = Pick(random, objects);
        obj.Properties.Add(new JsonTree.Property("\"x_huge\"", "x_huge", JsonTree.String(new string('h', size))));
        return new Mutation("huge", $"unknown_field_{size / 1024}k", path, Deliver);
    }

    /// <summary>A body of exactly the limit (must be delivered) or just over it (413), padded in an unknown root field.</summary>
    private byte[] Oversize(JsonTree tree, Random random, List<Mutation> mutations)
    {
        // Written once with an empty "x_fill" last in the root, then padded in place: the tree never holds megabytes.
        ((JsonTree.Obj)tree).Properties.Add(new JsonTree.Property("\"x_fill\"", "x_fill", JsonTree.Raw("\"\"")));
        var bare = Encoding.UTF8.GetBytes(tree.ToJson());
        var over = random.Next(2) == 0;
        var target = Math.Max(bare.Length, over ? MaxBodyBytes + 1 + random.Next(0, 64 * 1024) : MaxBodyBytes);
        var body = new byte[target];
        var head = bare.Length - 2; // up to and including the opening quote of x_fill's value
        bare.AsSpan(0, head).CopyTo(body);
        body.AsSpan(head, target - bare.Length).Fill((byte)'f');
        bare.AsSpan(head).CopyTo(body.AsSpan(target - 2));
        over = body.Length > MaxBodyBytes;
        mutations.Add(new Mutation("size", over ? "over_limit" : "at_limit", $"{body.Length} bytes (limit {MaxBodyBytes})", over ? Refuse413 : Deliver));
        return body;
    }

    /// <summary>Raw bytes that are not UTF-8, inserted at a character boundary inside a string (a name or a value).</summary>
    private static byte[] InsertInvalidUtf8(byte[] body, Random random, List<Mutation> mutations)
    {
        var strings = StringSpans(body);
        var bad = Pick(random, InvalidUtf8);
        var (start, end) = Pick(random, strings);
        var boundaries = Boundaries(body, start, end);
        var at = Pick(random, boundaries);
        var result = new byte[body.Length + bad.Length];
        body.AsSpan(0, at).CopyTo(result);
        bad.CopyTo(result.AsSpan(at));
        body.AsSpan(at).CopyTo(result.AsSpan(at + bad.Length));
        var name = Convert.ToHexStringLower(bad);
        mutations.Add(new Mutation("invalid_utf8", name, $"byte {at} in string {Excerpt(body, start, Math.Min(40, end - start))}", Refuse400, At: at));
        return result;
    }

    /// <summary>(start, end) of the contents of every string literal (between the quotes).</summary>
    private static List<(int Start, int End)> StringSpans(byte[] body)
    {
        var spans = new List<(int, int)>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '"')
            {
                continue;
            }

            var start = i + 1;
            i++;
            while (i < body.Length && body[i] != '"')
            {
                i += body[i] == '\\' ? 2 : 1;
            }

            spans.Add((start, Math.Min(i, body.Length)));
        }

        return spans;
    }

    /// <summary>Offsets in [start, end] that fall between whole characters (not inside an escape or a multi-byte sequence).</summary>
    private static List<int> Boundaries(byte[] body, int start, int end)
    {
        var offsets = new List<int> { start };
        var i = start;
        while (i < end && offsets.Count < 4096)
        {
            var b = body[i];
            i += b == '\\' ? (i + 1 < end && body[i + 1] == 'u' ? 6 : 2) : b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (i <= end)
            {
                offsets.Add(i);
            }
        }

        return offsets;
    }

    private List<string> MutateSignature(byte[] body, byte[] seedBody, Random random, List<Mutation> mutations)
    {
        var valid = _signer.Sign(body);
        var hex = valid["sha256=".Length..];
        var (variant, values) = random.Next(15) switch
        {
            0 => ("upper_hex", new List<string> { "sha256=" + hex.ToUpperInvariant() }),
            1 => ("upper_prefix", ["SHA256=" + hex]),
            2 => ("mixed_prefix", ["Sha256=" + hex]),
            3 => ("space_after_prefix", ["sha256= " + hex]),
            4 => ("tab_after_prefix", ["sha256=\t" + hex]),
            5 => ("missing", []),
            6 => ("empty", [string.Empty]),
            7 => ("sha1", ["sha1=" + hex[..40]]),
            8 => ("no_prefix", [hex]),
            9 => ("other_body", [_signer.Sign(seedBody.AsSpan().SequenceEqual(body) ? [.. body, (byte)' '] : seedBody)]),
            10 => ("other_secret", [_otherSigner.Sign(body)]),
            11 => ("truncated_hex", ["sha256=" + hex[..63]]),
            12 => ("twice", [valid, valid]),
            13 => ("twice_one_wrong", [valid, "sha256=" + Convert.ToHexStringLower(SHA256.HashData(body))]),
            _ => ("padded_hex", ["sha256=" + hex + "00"]),
        };
        mutations.Add(new Mutation("signature", variant, "X-Hub-Signature-256", Refuse401, values.Count == 0 ? "(none)" : string.Join(" | ", values)));
        return values;
    }

    private static string Needle(string text)
    {
        var quoted = JsonTree.Quote(text);
        return quoted.Length > 42 ? quoted[1..41] : quoted[1..^1];
    }

    /// <summary>A printable excerpt of raw bytes: ASCII as is, anything else as \xNN.</summary>
    public static string Excerpt(ReadOnlySpan<byte> bytes, int start, int length)
    {
        start = Math.Clamp(start, 0, bytes.Length);
        length = Math.Clamp(length, 0, bytes.Length - start);
        var text = new StringBuilder(length + 16);
        foreach (var b in bytes.Slice(start, length))
        {
            if (b is >= 0x20 and < 0x7F)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(b switch { (byte)'\r' => "\\r", (byte)'\n' => "\\n", _ => $"\\x{b:x2}" });
            }
        }

        return text.ToString();
    }

    /// <summary>The case's random stream, knowing its index (for ids unique to the case).</summary>
    private sealed class CaseRandom(int seed, int index) : Random(seed)
    {
        public int Index => index;
    }

    private sealed record OddValue(string Name, Func<string, string> Make, FuzzExpectation Expect, bool EscapeAll = false);
}
