using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;

namespace Cutover.Server.Tests.Routing;

/// <summary>The default configuration classifies the runbooks' words, in English, French and Kinyarwanda, and none of their traps.</summary>
public sealed class DefaultClassificationTests
{
    private static readonly RoutingSnapshot Snapshot = CreateSnapshot();

    [Theory]
    [InlineData("Are you hiring?", "jobs")]
    [InlineData("how do I apply", "jobs")]
    [InlineData("a career in sales", "jobs")]
    [InlineData("Je cherche un emploi", "jobs")]
    [InlineData("Ndashaka akazi", "jobs")]
    [InlineData("property for sale", "property")]
    [InlineData("how much is the rent", "property")]
    [InlineData("apartment in Kigali", "property")]
    [InlineData("a house with a garden", "property")]
    [InlineData("un appartement à louer", "property")]
    [InlineData("Ndashaka inzu yo gukodesha", "property")]
    [InlineData("I want to buy", "marketplace")]
    [InlineData("your shop", "marketplace")]
    [InlineData("this product", "marketplace")]
    [InlineData("my order", "marketplace")]
    [InlineData("je veux acheter", "marketplace")]
    [InlineData("Ndashaka kugura", "marketplace")]
    [InlineData("I need a ride", "mobility")]
    [InlineData("mon profil", "profile")]
    [InlineData("Ndashaka ubwishingizi", "insurance")]
    public void Explain_SeedWords_RightDomainByKeyword(string text, string domain)
    {
        var update = Explain(text);

        Assert.Equal((domain, "keyword"), (update.Domain, update.Rule));
    }

    [Theory]
    [InlineData("current")]
    [InlineData("parent")]
    [InlineData("different")]
    [InlineData("happy")]
    [InlineData("border")]
    public void Explain_SeedTraps_NoKeyword(string text)
    {
        var update = Explain(text);

        Assert.Equal(("default", "fallback"), (update.Domain, update.Rule));
    }

    private static Contracts.ExplainedUpdate Explain(string text)
    {
        var body = Encoding.UTF8.GetBytes($$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"250788000001","id":"m","type":"text","text":{"body":"{{{text}}}"}}]}}]}]}
            """);
        Assert.True(Explainer.TryExplain(body, Snapshot, RoutingMemory.Of(new ConversationMemory(10, TimeSpan.FromMinutes(1))), DateTimeOffset.UnixEpoch, out var updates, out var error), error);
        return Assert.Single(updates);
    }

    private static RoutingSnapshot CreateSnapshot()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var name in new[] { "unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default" })
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = $"http://127.0.0.1:9/{name}";
        }

        var (options, errors) = CutoverConfiguration.Load(CutoverConfiguration.Build(null, settings, includeEnvironment: false));
        Assert.Empty(errors);
        var topology = TopologyFactory.Create(options!);
        return RoutingSnapshot.Create(topology, RoutingState.Initial(["jobs", "marketplace", "property"], DateTimeOffset.UnixEpoch));
    }
}
