using System.Text;
using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Core.Delivery;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

/// <summary>
/// <c>cutover dlq list|show|replay|purge</c> against a real router, its dead letters made through the real store as the
/// delivery worker makes them (a claim, an attempt, a dead-lettering), or as acceptance makes an unparseable body's.
/// </summary>
public sealed class DlqCommandTests : CliTest
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private int _seeded;

    private IDeliveryStore Store => Router.Service<IDeliveryStore>();

    private DateTimeOffset Now => Router.Service<TimeProvider>().GetUtcNow();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_TableWithEveryColumn_ErrorCutShortAndMadeSafe_JsonHasTheLetters()
    {
        // arrange: an upstream's error text, long and with an escape sequence in it
        var id = await DieAsync("jobs", "unified", TimeSpan.FromHours(2), error: "upstream said \u001b[31mTIMEOUT\u001b[0m " + new string('x', 200));

        // act
        var text = await CutoverAs(ReadToken, "dlq", "list");
        var json = await CutoverAs(ReadToken, "dlq", "list", "--json");

        // assert
        Assert.True(text.ExitCode == 0, text.ToString());
        foreach (var column in new[] { "Id", "Died", "Age", "Reason", "Attempts", "Last upstream", "Domain", "Route", "Error" })
        {
            Assert.Contains(column, text.Out);
        }

        Assert.Matches($"│ +{id} │", text.Out);
        Assert.Contains("attempts_exhausted", text.Out);
        Assert.Contains("2h", text.Out);
        Assert.Contains("?[31m", text.Out); // the escape made visible (the narrow cell wraps the rest)
        Assert.Contains("…", text.Out);
        Assert.DoesNotContain('\u001b', text.Out);
        Assert.DoesNotContain(new string('x', 100), text.Out);
        Assert.Contains("1 dead letter.", text.Out);

        Assert.Equal(0, json.ExitCode);
        var letter = Assert.Single(JsonDocument.Parse(json.Out).RootElement.GetProperty("letters").EnumerateArray());
        Assert.Equal(id, letter.GetProperty("id").GetInt64());
        Assert.StartsWith("upstream said \u001b[31m", letter.GetProperty("error").GetString(), StringComparison.Ordinal); // whole in JSON
    }

    [Fact]
    public async Task List_Filters_GoToTheServer()
    {
        await DieAsync("jobs", "unified", TimeSpan.FromHours(3));
        var market = await DieAsync("marketplace", "marketplace", TimeSpan.FromMinutes(10));

        var run = await CutoverAs(ReadToken, "dlq", "list", "--since", "1h", "--upstream", "marketplace", "--domain", "marketplace",
            "--reason", "attempts_exhausted", "--limit", "5", "--json");
        var none = await CutoverAs(ReadToken, "dlq", "list", "--reason", "too_large");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([market], JsonDocument.Parse(run.Out).RootElement.GetProperty("letters").EnumerateArray().Select(static l => l.GetProperty("id").GetInt64()));
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("No dead letters match.", none.Out);
    }

    [Fact]
    public async Task List_UnknownDomain_Exit1WithTheServersSentence()
    {
        var run = await CutoverAs(ReadToken, "dlq", "list", "--domain", "shoes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'domain' must be a configured domain", run.Error);
    }

    [Theory]
    [InlineData("--limit", "0", "--limit")]
    [InlineData("--limit", "1001", "--limit")]
    [InlineData("--reason", "boom", "boom")]
    [InlineData("--since", "soon", "--since")]
    [InlineData("--since", "100d", "--since")]
    public async Task List_BadArgument_Exit64NamingIt(string option, string value, string named)
    {
        var run = await Cutover("dlq", "list", option, value);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(named, run.Error);
    }

    [Fact]
    public async Task Show_TextHasTheLetterTheAttemptsAndTheBodyIndented()
    {
        var id = await DieAsync("jobs", "unified", TimeSpan.FromMinutes(5), error: "upstream answered 503");

        var run = await CutoverAs(ReadToken, "dlq", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Dead letter {id}: update 0 of webhook", run.Out);
        Assert.Contains("Reason: attempts_exhausted after 1 attempt; going to jobs on unified, last tried at unified", run.Out);
        Assert.Contains("Error: upstream answered 503", run.Out);
        Assert.Contains("503", run.Out);
        Assert.Contains("13 ms", run.Out);
        Assert.Contains("bytes, UTF-8):", run.Out);
        Assert.Contains("\"object\": \"whatsapp_business_account\"", run.Out);
    }

    [Fact]
    public async Task Show_NotUtf8_Base64_JsonHasItWhole()
    {
        byte[] bytes = [0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d];
        Assert.Single(await Store.AcceptAsync([new InboxWebhook(Now, "corr-bin", bytes, "sha256=x", [], "not JSON")], Cancel));
        var id = (await Store.ListDeadLettersAsync(new DeadLetterQuery(Limit: 1), Cancel))[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var text = await CutoverAs(ReadToken, "dlq", "show", id);
        var json = await CutoverAs(ReadToken, "dlq", "show", id, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("Dead letter " + id + ": the whole body", text.Out);
        Assert.Contains("No attempt was made.", text.Out);
        Assert.Contains("not UTF-8, in base64", text.Out);
        Assert.Contains(Convert.ToBase64String(bytes), text.Out);
        var detail = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("base64", detail.GetProperty("body_encoding").GetString());
        Assert.Equal(bytes, Convert.FromBase64String(detail.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task Show_Unknown_Exit1NamingTheId_NotANumber_Exit64()
    {
        var unknown = await CutoverAs(ReadToken, "dlq", "show", "424242");
        var bad = await CutoverAs(ReadToken, "dlq", "show", "forty-two");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no dead letter with id 424242", unknown.Error);
        Assert.Equal(64, bad.ExitCode);
        Assert.Contains("ID must be a dead letter's id", bad.Error);
    }

    [Fact]
    public async Task Replay_ByIds_QueuedAgainWithTheTarget_HistoryShowsWhoAndWhy()
    {
        // arrange
        var first = await DieAsync("jobs", "unified", TimeSpan.FromMinutes(20));
        var second = await DieAsync("jobs", "unified", TimeSpan.FromMinutes(10));

        // act
        var run = await Cutover("dlq", "replay", $"{first}", $"{second}", "777777", "--to", "legacy", "--reason", "unified down, ticket 931");
        var history = await CutoverAs(ReadToken, "history", "--kind", "dlq_replay");
        var historyJson = await CutoverAs(ReadToken, "history", "--kind", "dlq_replay", "--json");

        // assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Queued 2 dead letters again, to legacy: {first}, {second}", run.Out);
        Assert.Contains("left alone: 777777", run.Out);
        Assert.Contains("Recorded in the audit trail: dlq_replay", run.Out);
        var claimed = await Store.ClaimAsync("check", 10, Now.AddSeconds(1), Lease, Cancel);
        Assert.Equal([(first, "legacy"), (second, "legacy")], claimed.Select(static c => (c.Id, c.Target)).Order());

        Assert.Equal(0, history.ExitCode);
        Assert.Contains($"replayed 2 to legacy (ids {first}, {second})", history.Out);
        Assert.Contains("alice", history.Out);
        Assert.Contains("unified down, ticket 931", history.Out);
        var e = Assert.Single(JsonDocument.Parse(historyJson.Out).RootElement.EnumerateArray());
        Assert.Equal("dlq_replay", e.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Replay_AllWithFilters_OnlyTheMatching()
    {
        var jobs = await DieAsync("jobs", "unified", TimeSpan.FromMinutes(20));
        var market = await DieAsync("marketplace", "unified", TimeSpan.FromMinutes(10));

        var run = await Cutover("dlq", "replay", "--all", "--domain", "jobs", "--since", "1h", "--dead-reason", "attempts_exhausted",
            "--reason", "jobs back", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var answer = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal([jobs], answer.GetProperty("ids").EnumerateArray().Select(static i => i.GetInt64()));
        Assert.Equal([market], (await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel)).Select(static l => l.Id));
    }

    [Theory]
    [InlineData(new[] { "--reason", "x" }, "their IDs, or --all")]
    [InlineData(new[] { "5", "--all", "--reason", "x" }, "not both")]
    [InlineData(new[] { "5", "--domain", "jobs", "--reason", "x" }, "--domain filters --all")]
    [InlineData(new[] { "5" }, "--reason")]
    [InlineData(new[] { "5", "--reason", "a\u001bb" }, "--reason")]
    [InlineData(new[] { "five", "--reason", "x" }, "ID must be")]
    [InlineData(new[] { "0", "--reason", "x" }, "ID must be")]
    [InlineData(new[] { "--all", "--dead-reason", "boom", "--reason", "x" }, "boom")]
    [InlineData(new[] { "--all", "--since", "later", "--reason", "x" }, "--since")]
    [InlineData(new[] { "--all", "--to", "two words", "--reason", "x" }, "--to")]
    public async Task Replay_Usage_Exit64NamingTheArgument(string[] args, string named)
    {
        var run = await Cutover(["dlq", "replay", .. args]);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(named, run.Error);
    }

    [Fact]
    public async Task Replay_UnknownUpstream_Exit1_ReadToken_Exit77()
    {
        var unknown = await Cutover("dlq", "replay", "--all", "--to", "nowhere", "--reason", "x");
        var read = await CutoverAs(ReadToken, "dlq", "replay", "--all", "--reason", "x");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'to' must be unified, legacy or a configured upstream", unknown.Error);
        Assert.Equal(77, read.ExitCode);
    }

    [Fact]
    public async Task Purge_DeletesTheOlderOnes_SaysHowMany_Audited()
    {
        await DieAsync("jobs", "unified", TimeSpan.FromHours(3));
        var recent = await DieAsync("jobs", "unified", TimeSpan.FromMinutes(3));

        var run = await Cutover("dlq", "purge", "--before", "1h", "--reason", "retention");
        var again = await Cutover("dlq", "purge", "--before", "1h", "--reason", "retention");
        var history = await CutoverAs(ReadToken, "history", "--kind", "dlq_purge");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Purged 1 dead letter that died before", run.Out);
        Assert.Contains("Recorded in the audit trail: dlq_purge", run.Out);
        Assert.Contains("nothing purged", again.Out);
        Assert.Equal([recent], (await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel)).Select(static l => l.Id));
        Assert.Contains("purged 1 that died before", history.Out);
    }

    [Theory]
    [InlineData(new[] { "--reason", "x" }, "--before")]
    [InlineData(new[] { "--before", "whenever", "--reason", "x" }, "--before")]
    [InlineData(new[] { "--before", "7d" }, "--reason")]
    public async Task Purge_Usage_Exit64NamingTheArgument(string[] args, string named)
    {
        var run = await Cutover(["dlq", "purge", .. args]);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(named, run.Error);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("show")]
    [InlineData("replay")]
    [InlineData("purge")]
    public async Task Help_EveryDlqVerb_HasAnExample(string verb)
    {
        var run = await CliRun.InvokeAsync("dlq", verb, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Example", run.Out);
        Assert.Contains($"cutover dlq {verb}", run.Out);
    }

    /// <summary>A text message accepted <paramref name="ago"/> ago, claimed and dead-lettered after one attempt, as the worker does: its id.</summary>
    private async Task<long> DieAsync(string domain, string upstream, TimeSpan ago, string error = "upstream answered 503")
    {
        var at = Now - ago;
        var n = Interlocked.Increment(ref _seeded);
        var body = WebhookBuilder.Of(Msg.Text($"25078800{n:D4}", "hello") with { Id = $"wamid.cli.{n}" });
        Assert.Single(await Store.AcceptAsync([new InboxWebhook(at, $"corr-{n}", body, "sha256=x", [new InboxUpdate(0, $"wamid.cli.{n}", $"p{n}")], null)], Cancel));
        var claimed = Assert.Single(await Store.ClaimAsync("seed", 10, at, Lease, Cancel));
        Assert.True(await Store.DeadLetterAsync(claimed.Id, "seed", new DeliveryAttempt(1, at, upstream, "unified", 503, error, 12.6),
            DeadLetterReasons.AttemptsExhausted, error, domain, "unified", Cancel));
        return claimed.Id;
    }
}
