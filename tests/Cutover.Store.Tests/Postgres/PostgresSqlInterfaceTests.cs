using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Npgsql;

namespace Cutover.Store.Tests.Postgres;

/// <summary>What operators type in psql, per the runbooks: the functions, the stats view, the health check.</summary>
public sealed class PostgresSqlInterfaceTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private string _connectionString = null!;
    private ICutoverStore _store = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync(Cancel);
        _store = StoreFactory.Open(StoreFactory.Postgres, _connectionString, TimeProvider.System);
        await _store.MigrateAsync(Cancel);
        await _store.LoadRoutingStateAsync(RoutingState.Initial(["jobs", "marketplace", "property"], Start), Cancel);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task UpdateRoutingPercentage_ValidChange_StoreSeesItWithItsAuditEvent()
    {
        // act
        var percentage = await PostgresStoreTests.ScalarAsync<decimal>(_connectionString,
            "SELECT percentage FROM update_routing_percentage(25.00, 'r')");

        // assert
        Assert.Equal(25m, percentage);
        var state = await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel);
        Assert.Equal((25m, 2L), (state.Percent, state.Version));
        var audit = Assert.Single(await _store.HistoryAsync(new HistoryQuery(), Cancel));
        Assert.Equal((AuditKinds.Percent, "r", "postgres"), (audit.Kind, audit.Reason, audit.Actor));
        Assert.Equal("""{"percent":0.00}""", audit.Before);
        Assert.Equal("""{"percent":25.00}""", audit.After);
    }

    [Fact]
    public async Task UpdateRoutingPercentage_SameValue_WritesNothing()
    {
        await ExecuteAsync("SELECT update_routing_percentage(0, 'no-op')");

        Assert.Empty(await _store.HistoryAsync(new HistoryQuery(), Cancel));
        Assert.Equal(1, await _store.RoutingVersionAsync(Cancel));
    }

    [Theory]
    [InlineData("SELECT update_routing_percentage(101, 'r')", "between 0 and 100")]
    [InlineData("SELECT update_routing_percentage(-1, 'r')", "between 0 and 100")]
    [InlineData("SELECT update_routing_percentage(12.345, 'r')", "at most two decimals")]
    [InlineData("SELECT update_routing_percentage(25, '  ')", "a reason is required")]
    [InlineData("SELECT update_routing_percentage(25, NULL)", "a reason is required")]
    [InlineData("SELECT update_routing_percentage(25)", "a reason is required")]
    [InlineData("SELECT set_routing_enabled(false, '')", "a reason is required")]
    public async Task RoutingFunctions_BadInput_RefusedAndNothingChanges(string sql, string expected)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Contains(expected, ex.MessageText);
        Assert.False(string.IsNullOrEmpty(ex.Hint));
        var state = await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel);
        Assert.Equal((0m, true, 1L), (state.Percent, state.Enabled, state.Version));
        Assert.Empty(await _store.HistoryAsync(new HistoryQuery(), Cancel));
    }

    [Fact]
    public async Task BareUpdateOfTheConfigRow_Refused_PointingToTheFunctions()
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("UPDATE webhook_routing_config SET percentage = 50"));

        Assert.Contains("functions that record who and why", ex.MessageText);
        Assert.Contains("update_routing_percentage", ex.Hint);
        Assert.Equal(0m, (await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel)).Percent);
    }

    [Fact]
    public async Task UpdateRoutingPercentage_RolloutRunning_RefusedSayingWhatToDo()
    {
        // arrange
        var soaking = new RolloutState(RolloutStatus.Soaking, 0, 5, null, Start, Start, false, null, 0, Start);
        Assert.NotNull(await _store.TrySaveRolloutAsync(0, soaking, [], null, Cancel));

        // act
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("SELECT update_routing_percentage(50, 'manual')"));

        // assert
        Assert.Contains("a rollout is running (status soaking)", ex.MessageText);
        Assert.Contains("cutover rollout pause", ex.Hint);
        Assert.Equal(0m, (await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel)).Percent);
        Assert.Empty(await _store.HistoryAsync(new HistoryQuery(Kind: AuditKinds.Percent), Cancel));
    }

    [Fact]
    public async Task UpdateRoutingPercentage_RolloutHalted_Allowed()
    {
        var halted = new RolloutState(RolloutStatus.Halted, 0, 0, null, Start, Start, false, "rolled back", 0, Start);
        Assert.NotNull(await _store.TrySaveRolloutAsync(0, halted, [], null, Cancel));

        await ExecuteAsync("SELECT update_routing_percentage(10, 'by hand after the rollback')");

        Assert.Equal(10m, (await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel)).Percent);
    }

    [Fact]
    public async Task SetRoutingEnabled_False_StoreSeesTheKillSwitchWithItsAuditEvent()
    {
        var enabled = await PostgresStoreTests.ScalarAsync<bool>(_connectionString, "SELECT enabled FROM set_routing_enabled(false, 'emergency')");

        Assert.False(enabled);
        Assert.False((await _store.LoadRoutingStateAsync(RoutingState.Initial([], Start), Cancel)).Enabled);
        var audit = Assert.Single(await _store.HistoryAsync(new HistoryQuery(), Cancel));
        Assert.Equal((AuditKinds.Disable, "emergency", "postgres"), (audit.Kind, audit.Reason, audit.Actor));
        Assert.Equal(("""{"enabled":true}""", """{"enabled":false}"""), (audit.Before, audit.After));
    }

    [Fact]
    public async Task UpdateRoutingPercentage_SubscriberIsToldWithinASecond()
    {
        // arrange
        await using var subscription = await _store.SubscribeAsync(Cancel);
        Assert.True(subscription.IsLive);

        // act
        await ExecuteAsync("SELECT update_routing_percentage(5, 'canary')");

        // assert
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        Assert.Equal(StoreChannels.Routing, await subscription.Changes.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task OverrideInserted_SubscriberToldRouting_RolloutChange_ToldRollout()
    {
        await using var subscription = await _store.SubscribeAsync(Cancel);
        var received = new List<string>();

        await ExecuteAsync("INSERT INTO webhook_routing_overrides (user_key, route, actor, reason, created_at) VALUES ('u', 'unified', 'dba', 'qa', now())");
        await PostgresStoreTests.ReadUntilAsync(subscription, received, StoreChannels.Routing);
        await _store.TrySaveRolloutAsync(0, RolloutState.Idle(Start), [], null, Cancel);
        await PostgresStoreTests.ReadUntilAsync(subscription, received, StoreChannels.Rollout);
    }

    [Fact]
    public async Task CheckRoutingHealth_NoVerdict_OneCriticalRowSayingSo()
    {
        var rows = await HealthRowsAsync();

        var row = Assert.Single(rows);
        Assert.Equal(("verdict_age", "critical"), (row.Name, row.Status));
        Assert.Contains("no Cutover instance has judged health yet", row.Message);
    }

    [Fact]
    public async Task CheckRoutingHealth_SavedSnapshot_ItsChecksAndAFreshAge()
    {
        // arrange
        var report = new HealthReport(TimeProvider.System.GetUtcNow(), HealthState.Critical,
        [
            new HealthCheck("error_rate", HealthState.Critical, 7.5, 0.5, "unified fails 7.5% of requests"),
            new HealthCheck("split", HealthState.Ok, null, null, "as configured"),
        ]);
        await _store.SaveHealthAsync(new HealthSnapshot("instance-a", report), Cancel);

        // act
        var rows = await HealthRowsAsync();

        // assert
        Assert.Equal(
            [("error_rate", "critical", 7.5, 0.5, "unified fails 7.5% of requests"), ("split", "ok", null, null, "as configured")],
            rows.Take(2).Select(static r => (r.Name, r.Status, r.Value, r.Threshold, r.Message)));
        var age = rows[2];
        Assert.Equal(("verdict_age", "ok"), (age.Name, age.Status));
        Assert.Contains("instance-a", age.Message);
    }

    [Fact]
    public async Task CheckRoutingHealth_OldVerdict_Warns()
    {
        var old = new HealthReport(TimeProvider.System.GetUtcNow().AddMinutes(-10), HealthState.Ok, []);
        await _store.SaveHealthAsync(new HealthSnapshot("instance-a", old), Cancel);

        var age = Assert.Single(await HealthRowsAsync());

        Assert.Equal(("verdict_age", "warn"), (age.Name, age.Status));
        Assert.InRange(age.Value!.Value, 590, 700);
    }

    [Fact]
    public async Task WebhookRoutingStats_SameDecisions_AgreesWithStatsCalculator()
    {
        // arrange: a few thousand decisions over the last half hour (the view's window is the real last hour)
        var now = TimeProvider.System.GetUtcNow();
        var random = new Random(3);
        for (var b = 0; b < 6; b++)
        {
            var batch = Enumerable.Range(0, 500)
                .Select(i => PostgresStoreTests.Decision(random, now.AddSeconds(-random.Next(1, 1_800)), $"b{b}i{i}"))
                .ToList();
            await _store.WriteDecisionsAsync(batch, Cancel);
        }

        var rows = await _store.ReadRollupsAsync(Rollups.Minute, now.AddHours(-1), now.AddMinutes(1), Cancel);
        var expected = StatsCalculator.Compute(rows, now.AddHours(-1), now).Routes;

        // act
        var view = new List<RouteStats>();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(Cancel);
            await using var command = new NpgsqlCommand("""
                SELECT domain, routed_to, request_count, avg_response_ms, p50_ms, p95_ms, p99_ms, error_count, error_rate_pct,
                       fallback_count, share_pct, last_request
                FROM webhook_routing_stats
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            while (await reader.ReadAsync(Cancel))
            {
                view.Add(new RouteStats(reader.GetString(0), reader.GetString(1) == RouteNames.Unified ? Route.Unified : Route.Legacy,
                    reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5), reader.GetDouble(6), reader.GetInt64(7),
                    reader.GetDouble(8), reader.GetInt64(9), reader.GetDouble(10), reader.GetFieldValue<DateTimeOffset>(11)));
            }
        }

        // assert: everything exactly (the quantiles too: both sides compute γ, ln and exp with the same float8 operations and
        // the same C library), except the average, whose float sum is added up in a different order
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected.Count, view.Count);
        foreach (var want in expected)
        {
            var got = Assert.Single(view, v => v.Domain == want.Domain && v.Route == want.Route);
            Assert.Equal((want.RequestCount, want.ErrorCount, want.ErrorRatePct, want.FallbackCount, want.SharePct, want.LastRequest),
                (got.RequestCount, got.ErrorCount, got.ErrorRatePct, got.FallbackCount, got.SharePct, got.LastRequest));
            Assert.Equal(want.AvgResponseMs!.Value, got.AvgResponseMs!.Value, 1e-9 * want.AvgResponseMs.Value);
            Assert.Equal(want.P50Ms!.Value, got.P50Ms!.Value);
            Assert.Equal(want.P95Ms!.Value, got.P95Ms!.Value);
            Assert.Equal(want.P99Ms!.Value, got.P99Ms!.Value);
        }
    }

    [Fact]
    public async Task RunbookStatements_AsWrittenInTheSeeds_Work()
    {
        // arrange
        await ExecuteAsync("SELECT update_routing_percentage(35, 'week 4')");

        // act: the runbooks' own statements, unchanged
        await ExecuteAsync("INSERT INTO migration_rollbacks (phase, reason, rolled_back_by) VALUES ('week4', 'High error rate', 'operator_name')");
        await ExecuteAsync("INSERT INTO migration_rollbacks (phase, reason) VALUES ('weekX', 'High error rate')");
        await ExecuteAsync("""
            INSERT INTO webhook_routing_logs (webhook_name, domain, routed_to, from_number, message_id, response_time_ms, status, error_message)
            VALUES ('wa-webhook-jobs', 'jobs', 'legacy', '250788000001', 'wamid.1', 120, 'error', 'boom')
            """);
        var errors = await PostgresStoreTests.ScalarAsync<long>(_connectionString, """
            SELECT count(*) FROM (
                SELECT domain, routed_to, error_message, COUNT(*) as count, MAX(created_at) as last_occurred
                FROM webhook_routing_logs WHERE status = 'error' AND created_at > now() - interval '1 hour'
                GROUP BY domain, routed_to, error_message ORDER BY count DESC) AS e
            """);
        var statsRows = await PostgresStoreTests.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM webhook_routing_stats");

        // assert
        Assert.Equal((1L, 0L), (errors, statsRows)); // stats come from rollups, which only Cutover's writer feeds
        var rollbacks = await _store.RollbacksAsync(10, Cancel);
        Assert.Equal([("weekX", "postgres", 35m, 35m), ("week4", "operator_name", 35m, 35m)],
            rollbacks.Select(static r => (r.Phase, r.Actor, r.FromPercent, r.ToPercent)));
        Assert.Equal("{}", rollbacks[0].Metrics);
        var logged = Assert.Single(await _store.QueryDecisionsAsync(new DecisionQuery(), Cancel));
        Assert.Equal(("jobs", Route.Legacy, false, 120.0), (logged.Domain, logged.Route, logged.Success, logged.LatencyMs));
    }

    public static TheoryData<string> Sketches => new("1..100", "single", "all zeros", "mostly zeros", "spread", "two values");

    [Theory]
    [MemberData(nameof(Sketches))]
    public async Task SketchQuantileFunction_EveryRankRule_SameAsLatencySketch(string name)
    {
        // arrange
        double[] values = name switch
        {
            "1..100" => [.. Enumerable.Range(1, 100).Select(static i => (double)i)],
            "single" => [42],
            "all zeros" => [0, 0, 0],
            "mostly zeros" => [0, 0, 0, 0, 0, 0, 0, 0, 5, 900],
            "two values" => [3, 3000],
            _ => [.. Enumerable.Range(0, 997).Select(static i => Math.Exp(i % 13) * (1 + (i % 7)))],
        };
        var sketch = new LatencySketch();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        var buckets = "{" + string.Join(',', sketch.NonEmptyBuckets().Select(static b => $"\"{b.Key}\":{b.Value}")) + "}";
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT cutover_sketch_quantile(@q, @zero, @min, @max, @buckets::jsonb)", connection);
        var q = command.Parameters.Add("q", NpgsqlTypes.NpgsqlDbType.Numeric);
        command.Parameters.AddWithValue("zero", sketch.ZeroCount);
        command.Parameters.AddWithValue("min", sketch.Min);
        command.Parameters.AddWithValue("max", sketch.Max);
        command.Parameters.AddWithValue("buckets", buckets);

        foreach (var quantile in (decimal[])[0m, 0.01m, 0.07m, 0.0701m, 0.5m, 0.8m, 0.95m, 0.99m, 1m])
        {
            // act
            q.Value = quantile;
            var fromSql = (double)(await command.ExecuteScalarAsync(Cancel))!;

            // assert
            Assert.Equal(sketch.Quantile((double)quantile), fromSql);
        }
    }

    [Theory]
    [InlineData(1, 64)] // 1.5625: a tie at the third decimal, which Math.Round breaks to even
    [InlineData(3, 64)]
    [InlineData(1, 3)]
    [InlineData(0, 0)]
    [InlineData(7, 7)]
    public async Task PercentFunction_SameRoundingAsStatsCalculator(long part, long whole)
    {
        var fromSql = await PostgresStoreTests.ScalarAsync<double>(_connectionString, $"SELECT cutover_percent({part}, {whole})");

        Assert.Equal(whole == 0 ? 0 : Math.Round(100.0 * part / whole, 3), fromSql);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private async Task<List<(string Name, string Status, double? Value, double? Threshold, string Message)>> HealthRowsAsync()
    {
        var rows = new List<(string, string, double?, double?, string)>();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT check_name, status, value, threshold, message FROM check_routing_health()", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.GetString(4)));
        }

        return rows;
    }
}
