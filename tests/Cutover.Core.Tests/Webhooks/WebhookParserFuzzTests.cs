using System.Text;
using Cutover.Core.Webhooks;
using static Cutover.Core.Tests.Support.Payloads;

namespace Cutover.Core.Tests.Webhooks;

/// <summary>
/// A small deterministic fuzz: every corpus payload under seeded random mutations (truncation, flipped
/// bits, inserted junk, values swapped for other types, deleted and duplicated ranges). TryParse must
/// never throw; when it accepts, every update must be internally consistent; when it refuses, it says why
/// and leaves the result empty. A reused <see cref="ParsedWebhook"/> must give what a fresh one gives.
/// </summary>
public sealed class WebhookParserFuzzTests
{
    private const int Seed = 20260331;
    private const int Mutations = 4000;

    private static readonly byte[][] Junk =
    [
        "["u8.ToArray(), "{"u8.ToArray(), "]"u8.ToArray(), "}"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "\""u8.ToArray(),
        "null"u8.ToArray(), "1e400"u8.ToArray(), "-0.0e-99999"u8.ToArray(), "123456789012345678901234567890"u8.ToArray(),
        "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "\\"u8.ToArray(), [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00],
        Encoding.UTF8.GetBytes(new string('[', 80)), "\"messages\":[{}],"u8.ToArray(), "\"from\":\"X\","u8.ToArray(),
    ];

    private static readonly byte[][] Replacements =
    [
        "1"u8.ToArray(), "null"u8.ToArray(), "{}"u8.ToArray(), "[]"u8.ToArray(), "true"u8.ToArray(), "\"\""u8.ToArray(),
        "\"s\""u8.ToArray(), "[{}]"u8.ToArray(), "[null]"u8.ToArray(), "1e999"u8.ToArray(), "{\"id\":[1]}"u8.ToArray(),
    ];

    [Fact]
    public void TryParse_MutatedCorpus_NeverThrowsAndAcceptedResultsAreConsistent()
    {
        var random = new Random(Seed);
        var corpus = CorpusNames.Select(Corpus).ToArray();
        var reused = new ParsedWebhook();
        int accepted = 0, refused = 0, acceptedWithUpdates = 0;

        for (var n = 0; n < Mutations; n++)
        {
            var body = Mutate(corpus[n % corpus.Length], random);
            bool ok;
            string? error;
            try
            {
                ok = WebhookParser.TryParse(body, reused, out error);
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation {n} threw {ex.GetType().Name}: {ex.Message}\nbody: {Encoding.UTF8.GetString(body)}");
                throw;
            }

            if (ok)
            {
                accepted++;
                acceptedWithUpdates += reused.Count > 0 ? 1 : 0;
                Assert.Null(error);
                AssertConsistent(reused, n);
            }
            else
            {
                refused++;
                Assert.False(string.IsNullOrWhiteSpace(error), $"mutation {n} refused without a reason");
                Assert.Equal(0, reused.Count);
                Assert.Equal(0, reused.Text.Length);
            }

            if (n % 10 == 0)
            {
                var fresh = new ParsedWebhook();
                Assert.Equal(ok, WebhookParser.TryParse(body, fresh, out var freshError));
                Assert.Equal(error, freshError);
                Assert.Equal(fresh.Updates.ToArray(), reused.Updates.ToArray());
                Assert.True(fresh.Text.SequenceEqual(reused.Text), $"mutation {n}: text differs on a reused instance");
            }
        }

        // The mutations must exercise both outcomes, or the test proves nothing.
        Assert.InRange(accepted, Mutations / 20, Mutations);
        Assert.InRange(refused, Mutations / 5, Mutations);
        Assert.InRange(acceptedWithUpdates, Mutations / 20, accepted);
    }

    private static void AssertConsistent(ParsedWebhook parsed, int n)
    {
        var changesWithWhole = new HashSet<(int, int)>();
        var changesWithItems = new HashSet<(int, int)>();
        var previous = (Entry: -1, Change: -1);
        for (var i = 0; i < parsed.Count; i++)
        {
            var u = parsed[i];
            var where = $"mutation {n}, update {i} ({u.Kind})";
            Assert.True(u.Entry >= 0 && u.Change >= 0, where);
            Assert.True((u.Entry, u.Change).CompareTo(previous) >= 0, $"{where}: out of document order");
            previous = (u.Entry, u.Change);
            Assert.True(u.UserKey is null || u.UserKey.Length > 0, $"{where}: empty user key");
            Assert.True(u.Id is null || u.Id.Length > 0, $"{where}: empty id");
            Assert.True(u.PhoneNumberId is null || u.PhoneNumberId.Length > 0, $"{where}: empty phone number id");
            Assert.NotNull(u.Field);
            Assert.True(u.TextStart >= 0 && u.TextLength >= 0 && u.TextStart + u.TextLength <= parsed.Text.Length, $"{where}: text out of range");

            switch (u.Kind)
            {
                case UpdateKind.Message:
                    Assert.True(u.Item >= 0, where);
                    Assert.Equal(WebhookParser.MessagesField, u.Field);
                    Assert.Null(u.Status);
                    Assert.Equal(u.Id, u.IdempotencyKey);
                    changesWithItems.Add((u.Entry, u.Change));
                    break;
                case UpdateKind.Status:
                    Assert.True(u.Item >= 0, where);
                    Assert.Equal(WebhookParser.MessagesField, u.Field);
                    Assert.Null(u.MessageType);
                    Assert.Null(u.InteractiveId);
                    Assert.Equal(0, u.TextLength);
                    Assert.Equal(u.Id is not null && u.Status is not null ? u.Id + ":" + u.Status : u.Id, u.IdempotencyKey);
                    changesWithItems.Add((u.Entry, u.Change));
                    break;
                case UpdateKind.Change:
                    Assert.Equal(-1, u.Item);
                    Assert.Null(u.Id);
                    Assert.Null(u.Status);
                    Assert.Null(u.MessageType);
                    Assert.Null(u.InteractiveId);
                    Assert.Equal(0, u.TextLength);
                    Assert.True(changesWithWhole.Add((u.Entry, u.Change)), $"{where}: two whole updates for one change");
                    break;
                default:
                    Assert.Fail($"{where}: unknown kind");
                    break;
            }
        }

        // A change is either split into its messages and statuses or kept whole, never both.
        Assert.Empty(changesWithWhole.Intersect(changesWithItems));
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var body = new List<byte>(source);
        var steps = 1 + random.Next(3);
        for (var step = 0; step < steps && body.Count > 0; step++)
        {
            switch (random.Next(6))
            {
                case 0: // truncate
                    body = body.GetRange(0, random.Next(body.Count + 1));
                    break;
                case 1: // flip one bit
                    var at = random.Next(body.Count);
                    body[at] = (byte)(body[at] ^ (1 << random.Next(8)));
                    break;
                case 2: // insert junk
                    body.InsertRange(random.Next(body.Count + 1), random.Next(3) == 0 ? [(byte)random.Next(256)] : Junk[random.Next(Junk.Length)]);
                    break;
                case 3: // swap a value for one of another type
                    SwapValue(body, random);
                    break;
                case 4: // delete a short range
                    var from = random.Next(body.Count);
                    body.RemoveRange(from, Math.Min(body.Count - from, 1 + random.Next(20)));
                    break;
                default: // duplicate a range somewhere else
                    var start = random.Next(body.Count);
                    var copy = body.GetRange(start, Math.Min(body.Count - start, 1 + random.Next(200)));
                    body.InsertRange(random.Next(body.Count + 1), copy);
                    break;
            }
        }

        return [.. body];
    }

    /// <summary>Replaces the value after a random ':' (a string, number, literal, object or array) with another.</summary>
    private static void SwapValue(List<byte> body, Random random)
    {
        var colons = new List<int>();
        for (var i = 0; i < body.Count; i++)
        {
            if (body[i] == (byte)':')
            {
                colons.Add(i);
            }
        }

        if (colons.Count == 0)
        {
            return;
        }

        var start = colons[random.Next(colons.Count)] + 1;
        while (start < body.Count && body[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            start++;
        }

        var end = EndOfValue(body, start);
        body.RemoveRange(start, end - start);
        body.InsertRange(start, Replacements[random.Next(Replacements.Length)]);
    }

    private static int EndOfValue(List<byte> body, int start)
    {
        if (start >= body.Count)
        {
            return body.Count;
        }

        var depth = 0;
        var inString = false;
        for (var i = start; i < body.Count; i++)
        {
            var c = body[i];
            if (inString)
            {
                if (c == (byte)'\\')
                {
                    i++;
                }
                else if (c == (byte)'"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (depth == 0)
                    {
                        return i;
                    }

                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case (byte)',' when depth == 0:
                    return i;
            }
        }

        return body.Count;
    }
}
