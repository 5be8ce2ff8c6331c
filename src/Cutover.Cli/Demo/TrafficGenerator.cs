using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Cutover.Cli.Demo;

/// <summary>
/// Realistic WhatsApp Cloud API webhook bodies from many users: each user has a service and a language
/// and talks in turns (a first message with a keyword or a button tap, then "yes", a photo, a location,
/// a reaction), and the business's replies come back as statuses. Most POSTs carry one update, some
/// several from one user, some a batch from many users across changes, as Meta may send. Deterministic
/// for a seed, so tests can rely on it.
/// </summary>
internal sealed class TrafficGenerator
{
    public const string WabaId = "102290129340398";
    public const string PhoneNumberId = "106540352242922";
    public const string DisplayNumber = "15550783881";

    private static readonly (string Domain, double Weight)[] Mix =
    [
        ("jobs", 0.20), ("marketplace", 0.20), ("property", 0.15), ("mobility", 0.15), ("profile", 0.10), ("insurance", 0.10), ("unknown", 0.10),
    ];

    private static readonly Dictionary<string, Dictionary<string, string[]>> Openers = new()
    {
        ["jobs"] = new() { ["en"] = ["Hello, I am looking for a job as a driver", "Are you hiring cooks?", "How do I apply for the nurse vacancy?"],
                           ["fr"] = ["Bonjour, je cherche un emploi", "Comment postuler pour ce travail ?"],
                           ["rw"] = ["Muraho, ndashaka akazi", "Hari akazi ko gukora?"] },
        ["marketplace"] = new() { ["en"] = ["I want to buy a phone", "Is this product still available?", "Where is my order?"],
                                  ["fr"] = ["Je veux acheter des chaussures", "Ma commande est en retard"],
                                  ["rw"] = ["Ndashaka kugura telefone", "Igiciro ni angahe?"] },
        ["property"] = new() { ["en"] = ["Any apartment to rent in Kacyiru?", "I need a house with two bedrooms", "What is the rent?"],
                               ["fr"] = ["Je cherche un appartement à louer", "Le loyer est de combien ?"],
                               ["rw"] = ["Ndashaka inzu yo gukodesha", "Icyumba kirahari?"] },
        ["mobility"] = new() { ["en"] = ["I need a ride to the airport", "Send a taxi please", "Where is my driver?"],
                               ["fr"] = ["Il me faut un chauffeur", "Un trajet vers le centre"],
                               ["rw"] = ["Nkeneye moto", "Umushoferi ari he?"] },
        ["profile"] = new() { ["en"] = ["Change my profile name", "I forgot my password"],
                              ["fr"] = ["Modifier mon profil", "Mon compte est bloqué"],
                              ["rw"] = ["Hindura umwirondoro wanjye", "Konti yanjye"] },
        ["insurance"] = new() { ["en"] = ["I want car insurance", "How do I file a claim?"],
                                ["fr"] = ["Je veux une assurance moto", "Déclarer un sinistre"],
                                ["rw"] = ["Ndashaka ubwishingizi", "Nagize impanuka"] },
        ["unknown"] = new() { ["en"] = ["Hi", "Good morning", "Hello there, happy to be here"],
                              ["fr"] = ["Bonjour", "Salut, ça va ?"],
                              ["rw"] = ["Muraho", "Mwaramutse"] },
    };

    private static readonly Dictionary<string, string> ButtonPrefix = new()
    {
        ["jobs"] = "job_", ["marketplace"] = "mkt_", ["property"] = "prop_", ["mobility"] = "ride_", ["profile"] = "profile_", ["insurance"] = "ins_",
    };

    private static readonly string[] FollowUps = ["yes", "ok", "thanks", "oui", "yego", "murakoze", "2", "tomorrow at 9"];
    private static readonly string[] Languages = ["en", "en", "en", "fr", "rw"];

    private readonly Random _random;
    private long _sequence;

    public TrafficGenerator(int users, int seed)
    {
        _random = new Random(seed);
        var list = new List<SimUser>(users);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (list.Count < users)
        {
            var usernameOnly = _random.NextDouble() < 0.05;
            var key = usernameOnly
                ? "US." + _random.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(CultureInfo.InvariantCulture)
                : "2507" + _random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
            if (seen.Add(key))
            {
                list.Add(new SimUser(key, usernameOnly, Pick(Mix), Languages[_random.Next(Languages.Length)]));
            }
        }

        Users = list;
    }

    public IReadOnlyList<SimUser> Users { get; }

    /// <summary>The next <paramref name="count"/> POST bodies.</summary>
    public List<SimPost> NextPosts(int count)
    {
        var posts = new List<SimPost>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = _random.NextDouble();
            List<List<SimUpdate>> changes;
            if (shape < 0.70)
            {
                changes = [[NextUpdate(RandomUser())]];
            }
            else if (shape < 0.90)
            {
                var user = RandomUser();
                changes = [[.. Enumerable.Range(0, _random.Next(2, 6)).Select(_ => NextUpdate(user))]];
            }
            else
            {
                // A batch across users, split over two changes, as Meta may aggregate.
                changes =
                [
                    [.. Enumerable.Range(0, _random.Next(3, 11)).Select(_ => NextUpdate(RandomUser()))],
                    [.. Enumerable.Range(0, _random.Next(2, 10)).Select(_ => NextUpdate(RandomUser()))],
                ];
            }

            posts.Add(new SimPost(Envelope(changes), changes.Sum(static c => c.Count), [.. changes.SelectMany(static c => c).Select(KeyOf)]));
        }

        return posts;
    }

    /// <summary>One envelope; each inner list becomes one change of field messages.</summary>
    public static byte[] Envelope(IReadOnlyList<IReadOnlyList<SimUpdate>> changes)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "whatsapp_business_account");
            w.WriteStartArray("entry");
            w.WriteStartObject();
            w.WriteString("id", WabaId);
            w.WriteStartArray("changes");
            foreach (var change in changes)
            {
                WriteChange(w, change);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The next turn of <paramref name="user"/>'s conversation.</summary>
    public SimUpdate NextUpdate(SimUser user)
    {
        var step = user.Step++;
        var id = "wamid.SIM" + Interlocked.Increment(ref _sequence).ToString("D12", CultureInfo.InvariantCulture);
        var timestamp = (1_764_000_000 + _sequence).ToString(CultureInfo.InvariantCulture);

        // Every third turn is a status about the business's reply to the user.
        if (step > 0 && step % 3 == 2)
        {
            var status = (step / 3 % 3) switch { 0 => "sent", 1 => "delivered", _ => "read" };
            return new SimUpdate(user, SimKind.Status, id, timestamp, status, null, null);
        }

        if (step == 0 || step % 7 == 0)
        {
            if (user.Domain != "unknown" && _random.NextDouble() < 0.25)
            {
                var button = ButtonPrefix[user.Domain] + "menu_" + _random.Next(1, 9).ToString(CultureInfo.InvariantCulture);
                return new SimUpdate(user, SimKind.Button, id, timestamp, button, "Choose", null);
            }

            var lines = Openers[user.Domain].TryGetValue(user.Language, out var inLanguage) ? inLanguage : Openers[user.Domain]["en"];
            return new SimUpdate(user, SimKind.Text, id, timestamp, lines[_random.Next(lines.Length)], null, null);
        }

        return _random.Next(5) switch
        {
            0 => new SimUpdate(user, SimKind.Image, id, timestamp, null, null, null),
            1 => new SimUpdate(user, SimKind.Location, id, timestamp, null, null, null),
            2 => new SimUpdate(user, SimKind.Reaction, id, timestamp, "👍", null, "wamid.SIMreply"),
            _ => new SimUpdate(user, SimKind.Text, id, timestamp, FollowUps[_random.Next(FollowUps.Length)], null, null),
        };
    }

    /// <summary>The key Cutover sends an upstream for <paramref name="update"/>, as the parser derives it (id, or id:status).</summary>
    public static string KeyOf(SimUpdate update) => update.Kind == SimKind.Status ? $"{update.Id}:{update.Text}" : update.Id;

    private static void WriteChange(Utf8JsonWriter w, IReadOnlyList<SimUpdate> updates)
    {
        w.WriteStartObject();
        w.WriteStartObject("value");
        w.WriteString("messaging_product", "whatsapp");
        w.WriteStartObject("metadata");
        w.WriteString("display_phone_number", DisplayNumber);
        w.WriteString("phone_number_id", PhoneNumberId);
        w.WriteEndObject();

        w.WriteStartArray("contacts");
        foreach (var user in updates.Select(static u => u.User).Distinct())
        {
            w.WriteStartObject();
            w.WriteStartObject("profile");
            w.WriteString("name", "Sim User");
            w.WriteEndObject();
            if (!user.UsernameOnly)
            {
                w.WriteString("wa_id", user.Key);
            }

            w.WriteString("user_id", user.UsernameOnly ? user.Key : "US." + user.Key);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        var messages = updates.Where(static u => u.Kind != SimKind.Status).ToList();
        if (messages.Count > 0)
        {
            w.WriteStartArray("messages");
            foreach (var m in messages)
            {
                WriteMessage(w, m);
            }

            w.WriteEndArray();
        }

        var statuses = updates.Where(static u => u.Kind == SimKind.Status).ToList();
        if (statuses.Count > 0)
        {
            w.WriteStartArray("statuses");
            foreach (var s in statuses)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("status", s.Text);
                w.WriteString("timestamp", s.Timestamp);
                w.WriteString(s.User.UsernameOnly ? "recipient_user_id" : "recipient_id", s.User.Key);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteString("field", "messages");
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, SimUpdate m)
    {
        w.WriteStartObject();
        w.WriteString(m.User.UsernameOnly ? "from_user_id" : "from", m.User.Key);
        w.WriteString("id", m.Id);
        w.WriteString("timestamp", m.Timestamp);
        switch (m.Kind)
        {
            case SimKind.Text:
                w.WriteString("type", "text");
                w.WriteStartObject("text");
                w.WriteString("body", m.Text);
                w.WriteEndObject();
                break;
            case SimKind.Button:
                w.WriteString("type", "interactive");
                w.WriteStartObject("interactive");
                w.WriteString("type", "button_reply");
                w.WriteStartObject("button_reply");
                w.WriteString("id", m.Text);
                w.WriteString("title", m.Title);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case SimKind.Image:
                w.WriteString("type", "image");
                w.WriteStartObject("image");
                w.WriteString("mime_type", "image/jpeg");
                w.WriteString("sha256", "b1f2c3d4");
                w.WriteString("id", "1003383421387256");
                w.WriteEndObject();
                break;
            case SimKind.Location:
                w.WriteString("type", "location");
                w.WriteStartObject("location");
                w.WriteNumber("latitude", -1.9441);
                w.WriteNumber("longitude", 30.0619);
                w.WriteEndObject();
                break;
            case SimKind.Reaction:
                w.WriteString("type", "reaction");
                w.WriteStartObject("reaction");
                w.WriteString("message_id", m.ReplyTo);
                w.WriteString("emoji", m.Text);
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
    }

    private SimUser RandomUser() => Users[_random.Next(Users.Count)];

    private string Pick((string Domain, double Weight)[] mix)
    {
        var roll = _random.NextDouble();
        foreach (var (domain, weight) in mix)
        {
            if ((roll -= weight) < 0)
            {
                return domain;
            }
        }

        return mix[^1].Domain;
    }
}
