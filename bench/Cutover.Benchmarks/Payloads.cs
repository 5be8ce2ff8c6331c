using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cutover.Benchmarks;

/// <summary>
/// The bodies the benchmarks parse: the anchors' one-message body, and deterministic Meta envelopes of
/// many users built here (texts in English, French and Kinyarwanda with and without keywords, button
/// taps, photos with captions, locations, reactions, statuses; some users with usernames only).
/// </summary>
internal static class Payloads
{
    public const string PhoneNumberId = "106540352242922";

    private static readonly string[] Texts =
    [
        // Openers that name a domain, in the three default languages.
        "Hello, I am looking for a job as a driver", "Are you hiring cooks this month?", "Bonjour, je cherche un emploi à Kigali",
        "Muraho, ndashaka akazi", "I want to buy a phone, what is the price?", "Je veux acheter des chaussures",
        "Ndashaka kugura telefone", "Any apartment to rent in Kacyiru?", "Je cherche un appartement à louer",
        "Ndashaka inzu yo gukodesha", "I need a ride to the airport", "Il me faut un chauffeur demain matin",
        "I forgot my password", "Konti yanjye ntikora", "How do I file a claim for my car?", "Je veux une assurance moto",

        // Follow-ups and small talk that match no keyword (the seed's substring bugs: current, parent, border).
        "yes", "ok thanks", "oui", "yego", "murakoze", "tomorrow at 9", "The current one is fine, my parent will come",
        "We live near the border, is that different?", "Good morning, happy to be here", "2",
    ];

    // The anchors' message, translated: the same questions, keywords ("magasin", "commandes") in the same places.
    private const string FrenchText =
        "Bonjour ! J’ai vu la publicité pour les chaussures de course bleues. Existent-elles dans une autre couleur, "
        + "et y a-t-il une pointure 42 disponible au magasin du centre-ville ? Puis-je aussi les retourner sous 30 jours "
        + "si elles ne me vont pas ? J’aimerais également savoir si la réduction s’applique à la version trail du même "
        + "modèle, combien de temps prend la livraison à Lyon, et si vous proposez l’emballage cadeau pour les commandes "
        + "passées cette semaine. Merci beaucoup, dans l’attente de votre réponse, à très bientôt !";

    private static readonly string[] Buttons = ["job_apply_42", "mkt_checkout", "prop_visit_7", "ride_now", "profile_edit", "ins_quote", "unknown_btn"];
    private static readonly string[] Statuses = ["sent", "delivered", "read"];

    /// <summary>The anchors' 1,453-byte text message from one user (also what wrk posts).</summary>
    public static byte[] OneMessage()
    {
        using var stream = typeof(Payloads).Assembly.GetManifestResourceStream("body.json")
            ?? throw new InvalidOperationException("body.json is not embedded in the benchmark assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The one-message body with its text in French (524 characters, 17 of them accented letters or typographic
    /// apostrophes, in 16 of its 65 eight-character blocks), for the keyword fold's non-ASCII path; everything
    /// else as in <see cref="OneMessage"/> (whose English text is 428 characters, all ASCII).
    /// </summary>
    public static byte[] OneMessageFrench()
    {
        const string English = "Hi! I saw the ad for the blue running shoes.";
        var body = Encoding.UTF8.GetString(OneMessage());
        var start = body.IndexOf(English, StringComparison.Ordinal);
        var end = body.IndexOf('"', start);
        if (start < 0 || end < 0)
        {
            throw new InvalidOperationException("body.json no longer holds the text OneMessageFrench replaces");
        }

        return Encoding.UTF8.GetBytes(body[..start] + FrenchText + body[end..]);
    }

    /// <summary>The phone number of the BSUID-era user of <see cref="OneMessageBsuid"/> and <see cref="OneStatusBsuid"/>.</summary>
    public const string BsuidPhone = "16505557890";

    /// <summary>Their business-scoped user id (BSUID), in the form of Meta's examples.</summary>
    public const string Bsuid = "US.13491208655302741918";

    /// <summary>
    /// The one-message body as Meta sends it since 2026 (BSUIDs): the contact gives <c>wa_id</c> and <c>user_id</c>, the
    /// message <c>from</c> and <c>from_user_id</c>; another user than <see cref="OneMessage"/>'s, everything else the same.
    /// </summary>
    public static byte[] OneMessageBsuid()
    {
        var body = Encoding.UTF8.GetString(OneMessage());
        var withIds = Replace(body, "\"wa_id\":\"16505551234\"", $"\"wa_id\":\"{BsuidPhone}\",\"user_id\":\"{Bsuid}\"");
        withIds = Replace(withIds, "\"from\":\"16505551234\"", $"\"from\":\"{BsuidPhone}\",\"from_user_id\":\"{Bsuid}\"");
        return Encoding.UTF8.GetBytes(withIds);
    }

    /// <summary>
    /// A delivery status of a reply to the user of <see cref="OneMessageBsuid"/>, keyed by <c>recipient_user_id</c> alone
    /// (a business that replied to the BSUID), without <c>contacts</c>: routing finds the person through the BSUID.
    /// </summary>
    public static byte[] OneStatusBsuid() => Encoding.UTF8.GetBytes(
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"value\":{"
        + "\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"106540352242922\"},"
        + "\"statuses\":[{\"id\":\"wamid.HBgLMTY1MDU1NTc4OTAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA\",\"status\":\"delivered\","
        + "\"timestamp\":\"1749416390\",\"recipient_user_id\":\"" + Bsuid + "\","
        + "\"conversation\":{\"id\":\"8a2e4f1c9b7d6e5f4a3b2c1d0e9f8a7b\",\"origin\":{\"type\":\"service\"}},"
        + "\"pricing\":{\"billable\":false,\"pricing_model\":\"PMP\",\"category\":\"service\"}}]},"
        + "\"field\":\"messages\"}]}]}");

    private static string Replace(string body, string old, string replacement) =>
        body.Contains(old, StringComparison.Ordinal)
            ? body.Replace(old, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"body.json no longer holds {old}");

    /// <summary>
    /// One POST of <paramref name="updates"/> updates from about 0.6 × that many users, in changes of up
    /// to 100 updates (Meta batches up to 1000 updates per POST). About 85% messages and 15% statuses.
    /// </summary>
    public static byte[] Batch(int updates, int seed = 42)
    {
        var random = new Random(seed);
        var users = Users(random, Math.Max(1, updates * 6 / 10));
        var changes = new List<List<Update>>();
        for (var done = 0; done < updates; done += 100)
        {
            var change = new List<Update>();
            for (var i = done; i < Math.Min(updates, done + 100); i++)
            {
                change.Add(NextUpdate(random, users[random.Next(users.Count)], i));
            }

            changes.Add(change);
        }

        return Envelope(changes);
    }

    /// <summary>
    /// A small mixed POST: four users in four domains (jobs, marketplace, mobility, and a status), the
    /// kind of POST that a partial rollout has to split and re-sign.
    /// </summary>
    public static byte[] Mixed() => Envelope(
    [
        [
            new Update(new User("250788100001", false), "text", Texts[0], 0),
            new Update(new User("250788100002", false), "text", Texts[4], 1),
            new Update(new User("250788100003", false), "text", Texts[10], 2),
            new Update(new User("250788100004", false), "status", "delivered", 3),
        ],
    ]);

    private static List<User> Users(Random random, int count)
    {
        var users = new List<User>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (users.Count < count)
        {
            // Since 2026 a user with a username may come without a phone number: only a business-scoped id.
            var usernameOnly = random.NextDouble() < 0.05;
            var key = usernameOnly
                ? "RW." + random.NextInt64(1_000_000_000_000, 9_999_999_999_999).ToString(CultureInfo.InvariantCulture)
                : "2507" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
            if (seen.Add(key))
            {
                users.Add(new User(key, usernameOnly));
            }
        }

        return users;
    }

    private static Update NextUpdate(Random random, User user, int sequence)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.15 => new Update(user, "status", Statuses[random.Next(Statuses.Length)], sequence),
            < 0.60 => new Update(user, "text", Texts[random.Next(Texts.Length)], sequence),
            < 0.75 => new Update(user, "interactive", Buttons[random.Next(Buttons.Length)], sequence),
            < 0.88 => new Update(user, "image", random.NextDouble() < 0.5 ? Texts[random.Next(Texts.Length)] : null, sequence),
            < 0.94 => new Update(user, "location", null, sequence),
            _ => new Update(user, "reaction", null, sequence),
        };
    }

    private static byte[] Envelope(List<List<Update>> changes)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "whatsapp_business_account");
            w.WriteStartArray("entry");
            w.WriteStartObject();
            w.WriteString("id", "102290129340398");
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

    private static void WriteChange(Utf8JsonWriter w, List<Update> updates)
    {
        w.WriteStartObject();
        w.WriteStartObject("value");
        w.WriteString("messaging_product", "whatsapp");
        w.WriteStartObject("metadata");
        w.WriteString("display_phone_number", "15550783881");
        w.WriteString("phone_number_id", PhoneNumberId);
        w.WriteEndObject();

        w.WriteStartArray("contacts");
        foreach (var user in updates.Where(static u => u.Kind != "status").Select(static u => u.User).Distinct())
        {
            w.WriteStartObject();
            w.WriteStartObject("profile");
            w.WriteString("name", "User " + user.Key[^4..]);
            w.WriteEndObject();
            w.WriteString(user.UsernameOnly ? "user_id" : "wa_id", user.Key);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (updates.Any(static u => u.Kind != "status"))
        {
            w.WriteStartArray("messages");
            foreach (var m in updates.Where(static u => u.Kind != "status"))
            {
                WriteMessage(w, m);
            }

            w.WriteEndArray();
        }

        if (updates.Any(static u => u.Kind == "status"))
        {
            w.WriteStartArray("statuses");
            foreach (var s in updates.Where(static u => u.Kind == "status"))
            {
                w.WriteStartObject();
                w.WriteString("id", WamId(s.Sequence));
                w.WriteString("status", s.Text);
                w.WriteString("timestamp", Timestamp(s.Sequence));
                w.WriteString(s.User.UsernameOnly ? "recipient_user_id" : "recipient_id", s.User.Key);
                w.WriteStartObject("pricing");
                w.WriteBoolean("billable", false);
                w.WriteString("pricing_model", "PMP");
                w.WriteString("category", "service");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteString("field", "messages");
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, Update m)
    {
        w.WriteStartObject();
        w.WriteString(m.User.UsernameOnly ? "from_user_id" : "from", m.User.Key);
        w.WriteString("id", WamId(m.Sequence));
        w.WriteString("timestamp", Timestamp(m.Sequence));
        w.WriteString("type", m.Kind);
        switch (m.Kind)
        {
            case "text":
                w.WriteStartObject("text");
                w.WriteString("body", m.Text);
                w.WriteEndObject();
                break;
            case "interactive":
                w.WriteStartObject("interactive");
                w.WriteString("type", "button_reply");
                w.WriteStartObject("button_reply");
                w.WriteString("id", m.Text);
                w.WriteString("title", "Continue");
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case "image":
                w.WriteStartObject("image");
                if (m.Text is not null)
                {
                    w.WriteString("caption", m.Text);
                }

                w.WriteString("mime_type", "image/jpeg");
                w.WriteString("sha256", "8z0Tn1N9dDPQgX5Lq0RbqG7Sp3vC1lV2YbMx0oJtE3c=");
                w.WriteString("id", "1003383421387256");
                w.WriteEndObject();
                break;
            case "location":
                w.WriteStartObject("location");
                w.WriteNumber("latitude", -1.9441);
                w.WriteNumber("longitude", 30.0619);
                w.WriteString("name", "Kigali Convention Centre");
                w.WriteEndObject();
                break;
            case "reaction":
                w.WriteStartObject("reaction");
                w.WriteString("message_id", WamId(m.Sequence + 100_000));
                w.WriteString("emoji", "\U0001F44D");
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
    }

    private static string WamId(int sequence) =>
        "wamid.HBgLMjUwNzg4MTAwMDAxFQIAEhgg" + sequence.ToString("D12", CultureInfo.InvariantCulture) + "AA==";

    private static string Timestamp(int sequence) => (1_764_000_000 + sequence).ToString(CultureInfo.InvariantCulture);

    private sealed record User(string Key, bool UsernameOnly);

    private sealed record Update(User User, string Kind, string? Text, int Sequence);
}
