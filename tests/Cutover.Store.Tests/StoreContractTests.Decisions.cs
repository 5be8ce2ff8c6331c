using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Store.Tests;

/// <summary>The decision tail (<see cref="IDecisionStore.ReadDecisionsAsync"/>): its filters and its cursor, on every provider.</summary>
public abstract partial class StoreContractTests
{
    private static DecisionRecord Tail(int i, string? user = "u", string domain = "jobs", Route route = Route.Legacy, bool success = true,
        bool fallback = false) =>
        new(Now.AddSeconds(i), $"c{i}", null, user, UpdateKind.Message, domain, ClassificationRule.Keyword, 1, route,
            route == Route.Unified ? "unified" : domain, null, success, success ? 200 : 500, 1, success ? null : "boom", fallback);

    [Fact]
    public async Task ReadDecisionsAsync_WithoutCursor_ReturnsTheNewestOldestFirst_AndTheNewestIdAsCursor()
    {
        // arrange
        await Store.WriteDecisionsAsync([.. Enumerable.Range(0, 10).Select(i => Tail(i))], Cancel);

        // act
        var page = await Store.ReadDecisionsAsync(new DecisionQuery(Limit: 3), Cancel);

        // assert: the newest three, in the order they happened, ids increasing, the cursor at the last row
        Assert.Equal(["c7", "c8", "c9"], page.Decisions.Select(static d => d.Decision.CorrelationId));
        Assert.True(page.Decisions[0].Id < page.Decisions[1].Id && page.Decisions[1].Id < page.Decisions[2].Id);
        Assert.Equal(page.Decisions[^1].Id, page.Cursor);
    }

    [Fact]
    public async Task ReadDecisionsAsync_AfterCursor_ReturnsOnlyNewer_PagingWithoutGaps()
    {
        // arrange: a reader that saw the first five
        await Store.WriteDecisionsAsync([.. Enumerable.Range(0, 5).Select(i => Tail(i))], Cancel);
        var first = await Store.ReadDecisionsAsync(new DecisionQuery(Limit: 100), Cancel);
        await Store.WriteDecisionsAsync([.. Enumerable.Range(5, 7).Select(i => Tail(i))], Cancel);

        // act: pages of three after its cursor
        var seen = new List<string>();
        var cursor = first.Cursor;
        var empty = 0;
        while (empty == 0)
        {
            var page = await Store.ReadDecisionsAsync(new DecisionQuery(Limit: 3) { After = cursor }, Cancel);
            Assert.True(page.Cursor >= cursor, "a cursor never goes back");
            seen.AddRange(page.Decisions.Select(static d => d.Decision.CorrelationId));
            empty = page.Decisions.Count < 3 ? 1 : 0;
            cursor = page.Cursor;
        }

        // assert: the seven written later, each once, in order; nothing more after the last cursor
        Assert.Equal(Enumerable.Range(5, 7).Select(static i => $"c{i}"), seen);
        Assert.Empty((await Store.ReadDecisionsAsync(new DecisionQuery() { After = cursor }, Cancel)).Decisions);
    }

    [Fact]
    public async Task ReadDecisionsAsync_NothingMatches_CursorIsTheNewestRow_SoAFollowerStartsNow()
    {
        // arrange
        await Store.WriteDecisionsAsync([Tail(0), Tail(1)], Cancel);
        var all = await Store.ReadDecisionsAsync(new DecisionQuery(), Cancel);

        // act: a filter nothing matches
        var none = await Store.ReadDecisionsAsync(new DecisionQuery() { Domain = "marketplace" }, Cancel);
        await Store.WriteDecisionsAsync([Tail(2, domain: "marketplace")], Cancel);
        var next = await Store.ReadDecisionsAsync(new DecisionQuery() { Domain = "marketplace", After = none.Cursor }, Cancel);

        // assert
        Assert.Empty(none.Decisions);
        Assert.Equal(all.Cursor, none.Cursor);
        Assert.Equal("c2", Assert.Single(next.Decisions).Decision.CorrelationId);
    }

    [Fact]
    public async Task ReadDecisionsAsync_Filters_ErrorsDomainRouteUsersAndSince()
    {
        // arrange
        await Store.WriteDecisionsAsync(
        [
            Tail(0, user: "a"),
            Tail(1, user: "b", success: false),
            Tail(2, user: "c", fallback: true, route: Route.Unified),
            Tail(3, user: "a", domain: "marketplace"),
            Tail(4, user: "d", route: Route.Unified),
            Tail(5, user: null, success: false, domain: "marketplace"),
        ], Cancel);

        async Task<IEnumerable<string>> Ids(DecisionQuery query) =>
            (await Store.ReadDecisionsAsync(query, Cancel)).Decisions.Select(static d => d.Decision.CorrelationId);

        // act, assert: each filter, and together
        Assert.Equal(["c1", "c2", "c5"], await Ids(new DecisionQuery() { ErrorsOnly = true }));
        Assert.Equal(["c3", "c5"], await Ids(new DecisionQuery() { Domain = "marketplace" }));
        Assert.Equal(["c2", "c4"], await Ids(new DecisionQuery() { Route = Route.Unified }));
        Assert.Equal(["c0", "c2", "c3"], await Ids(new DecisionQuery() { UserKeys = ["a", "c"] }));
        Assert.Empty(await Ids(new DecisionQuery() { UserKeys = [] }));
        Assert.Equal(["c4", "c5"], await Ids(new DecisionQuery(Since: Now.AddSeconds(4))));
        Assert.Equal(["c5"], await Ids(new DecisionQuery() { ErrorsOnly = true, Domain = "marketplace" }));
        Assert.Equal(["c2"], await Ids(new DecisionQuery() { ErrorsOnly = true, Route = Route.Unified, UserKeys = ["c", "d"] }));
    }

    [Fact]
    public async Task ReadDecisionsAsync_HostileValues_AreParametersNotSql()
    {
        // arrange
        await Store.WriteDecisionsAsync([Tail(0, user: "x' OR '1'='1"), Tail(1, user: "y")], Cancel);

        // act
        var hostile = await Store.ReadDecisionsAsync(new DecisionQuery() { UserKeys = ["' OR 1=1 --"], Domain = "jobs'; DROP TABLE webhook_routing_logs; --" }, Cancel);
        var exact = await Store.ReadDecisionsAsync(new DecisionQuery() { UserKeys = ["x' OR '1'='1"] }, Cancel);

        // assert: nothing matched the hostile text, the table is still there, and a quote in a stored key matches itself only
        Assert.Empty(hostile.Decisions);
        Assert.Equal("c0", Assert.Single(exact.Decisions).Decision.CorrelationId);
        Assert.Equal(2, (await Store.QueryDecisionsAsync(new DecisionQuery(), Cancel)).Count);
    }

    [Fact]
    public async Task QueryDecisionsAsync_TakesTheTailsFilters_NewestFirst()
    {
        // arrange
        await Store.WriteDecisionsAsync([Tail(0), Tail(1, success: false), Tail(2), Tail(3, success: false)], Cancel);

        // act
        var errors = await Store.QueryDecisionsAsync(new DecisionQuery() { ErrorsOnly = true }, Cancel);

        // assert
        Assert.Equal(["c3", "c1"], errors.Select(static d => d.CorrelationId));
    }
}
