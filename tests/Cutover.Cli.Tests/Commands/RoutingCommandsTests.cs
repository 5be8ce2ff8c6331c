using System.Net;
using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

public sealed class RoutingCommandsTests : CliTest
{
    [Fact]
    public async Task StatusJson_HasContractFields()
    {
        var run = await Cutover("status", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(json.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("percent").ValueKind);
        foreach (var domain in new[] { "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            var d = json.GetProperty("domains").GetProperty(domain);
            Assert.Equal(JsonValueKind.Number, d.GetProperty("percent").ValueKind);
            Assert.True(d.TryGetProperty("routable", out _));
            Assert.True(d.TryGetProperty("protected", out _));
        }
    }

    [Fact]
    public async Task Status_Table_ShowsDomainsAndLog()
    {
        var run = await CutoverAs(ReadToken, "status");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Routing enabled", run.Out);
        Assert.Contains("never routed", run.Out);
        Assert.Contains("Decision log:", run.Out);
    }

    [Fact]
    public async Task Set_VisibleOnNextRequestAndInHistoryWithReasonAndActor()
    {
        // act
        var set = await Cutover("set", "100", "--reason", "jobs to unified for the demo");
        using var webhook = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "a job please")));
        var history = await Cutover("history", "--json");

        // assert
        Assert.Equal(0, set.ExitCode);
        Assert.Contains("percent 0.00% → 100.00%", set.Out);
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Equal("unified", Assert.Single(Upstreams.Requests).Upstream);
        var e = JsonDocument.Parse(history.Out).RootElement[0];
        Assert.Equal("percent", e.GetProperty("kind").GetString());
        Assert.Equal("alice", e.GetProperty("actor").GetString());
        Assert.Equal("jobs to unified for the demo", e.GetProperty("reason").GetString());
        Assert.Equal(100m, e.GetProperty("after").GetProperty("percent").GetDecimal());
        Assert.True(e.TryGetProperty("at", out _) && e.TryGetProperty("before", out _));
    }

    [Fact]
    public async Task Set_WithoutReason_Usage64NamingReason()
    {
        var run = await Cutover("set", "25");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--reason", run.Error);
        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
    }

    [Theory]
    [InlineData("abc", "PERCENT: 'abc'")]
    [InlineData("150", "PERCENT: percent must be between 0 and 100, not 150")]
    [InlineData("12.345", "PERCENT: percent has at most two decimals")]
    [InlineData("global", "PERCENT: 'global' only makes sense with --domain")]
    public async Task Set_BadPercent_Usage64NamingArgument(string percent, string message)
    {
        var run = await Cutover("set", percent, "--reason", "x");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task Set_ProtectedDomain_RefusedWithServerMessage_Once()
    {
        var run = await Cutover("set", "50", "--domain", "mobility", "--reason", "x");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("cutover: mobility is a protected domain: it always goes to legacy, so it has no percentage\n", run.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("set", "10", "--reason", "x")]
    [InlineData("set", "--domain", "jobs", "--routable", "off", "--reason", "x")]
    [InlineData("rollback", "--to", "0", "--reason", "x")]
    public async Task Change_WithoutToken_RefusalPrintedOnce_NotAgainAsAPreviewSkipped(params string[] args)
    {
        var run = await CliRun.InvokeAsync([.. args, "--url", Url]);

        Assert.Equal(77, run.ExitCode);
        Assert.Equal("cutover: a bearer token is required: Authorization: Bearer <token> (--token or CUTOVER_ADMIN_TOKEN) (401)\n",
            run.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Set_WithReadToken_PermissionDenied77()
    {
        var run = await CutoverAs(ReadToken, "set", "50", "--reason", "x");

        Assert.Equal(77, run.ExitCode);
        Assert.Equal("cutover: token 'dashboard' has role read; changing routing needs an operate token (403)\n", run.Error.ReplaceLineEndings("\n"));
        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
    }

    [Fact]
    public async Task DisableEnable_ChangesAndReportsNoOp()
    {
        var off = await Cutover("disable", "--reason", "incident 42");
        var again = await Cutover("disable", "--reason", "incident 42");
        var status = await Cutover("status", "--json");
        var on = await Cutover("enable", "--reason", "fixed");

        Assert.Equal((0, 0, 0), (off.ExitCode, again.ExitCode, on.ExitCode));
        Assert.Contains("Changed disable", off.Out);
        Assert.Contains("Nothing changed", again.Out);
        Assert.False(JsonDocument.Parse(status.Out).RootElement.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Override_PinsAndClears()
    {
        var pin = await Cutover("override", "250788000042", "unified", "--reason", "QA phone");
        using var pinned = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000042", "job")));
        var noneWithoutDomain = await Cutover("override", "250788000042", "none", "--reason", "x");
        var clear = await Cutover("override", "250788000042", "clear", "--reason", "QA done");
        var history = await Cutover("history");

        Assert.Equal(0, pin.ExitCode);
        Assert.Equal("unified", Assert.Single(Upstreams.Requests).Upstream);
        Assert.Equal(64, noneWithoutDomain.ExitCode);
        Assert.Equal(0, clear.ExitCode);
        Assert.Contains("override_clear", history.Out);
        Assert.Contains("QA phone", history.Out);
    }

    [Fact]
    public async Task ExplainJson_CorpusPayload_ContractFields()
    {
        var run = await Cutover("explain", "--payload", Path.Combine(Corpus.Directory, "024-interactive-button_reply.json"), "--json");

        Assert.Equal(0, run.ExitCode);
        var update = Assert.Single(JsonDocument.Parse(run.Out).RootElement.EnumerateArray());
        foreach (var field in new[] { "user_key", "domain", "rule", "bucket", "route", "upstream", "reason" })
        {
            Assert.True(update.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Explain_EveryCorpusPayload_ExplainedWithUserKeysForMessagesAndStatuses()
    {
        foreach (var file in Corpus.Files)
        {
            var run = await Cutover("explain", "--payload", file, "--json");

            Assert.True(run.ExitCode == 0, $"{Path.GetFileName(file)}: {run}");
            foreach (var update in JsonDocument.Parse(run.Out).RootElement.EnumerateArray())
            {
                if (update.GetProperty("kind").GetString() is "message" or "status")
                {
                    Assert.False(string.IsNullOrEmpty(update.GetProperty("user_key").GetString()), $"{Path.GetFileName(file)} has an update without a user key");
                }
            }
        }
    }

    [Fact]
    public async Task Explain_MalformedPayload_DataError65()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"entry": 5}""", TestContext.Current.CancellationToken);

        var run = await Cutover("explain", "--payload", file);
        File.Delete(file);

        Assert.Equal(65, run.ExitCode);
        Assert.Contains("entry must be an array", run.Error);
    }

    [Fact]
    public async Task History_Table_ListsChanges()
    {
        await Cutover("set", "10", "--reason", "first step");
        await Cutover("set", "20", "--domain", "jobs", "--reason", "jobs ahead");

        var run = await Cutover("history");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("first step", run.Out);
        Assert.Contains("jobs percent global → 20.00%", run.Out);
    }
}
