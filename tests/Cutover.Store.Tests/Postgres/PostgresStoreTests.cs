using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;
using Cutover.Store.Postgres;
using Cutover.Testing;
using Npgsql;

namespace Cutover.Store.Tests.Postgres;

/// <summary>The contract suite on PostgreSQL, plus what only a shared server does: concurrent instances, leases, notifications.</summary>
public sealed class PostgresStoreTests(PostgresFixture postgres) : StoreContractTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private string _connectionString = null!;

    protected override async Task<ICutoverStore> CreateStoreAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync(Cancel);
        return OpenSameDatabase();
    }

    protected override ICutoverStore OpenSameDatabase() => StoreFactory.Open(StoreFactory.Postgres, _connectionString, TimeProvider.System);

    protected override Task<long> CountRowsAsync(string table) => ScalarAsync<long>(_connectionString, $"SELECT count(*) FROM {table}");

    [Fact]
    public async Task Open_ConnectionString_LocationHasNoCredentialsAndNoFile()
    {
        await using var store = StoreFactory.Open(StoreFactory.Postgres, "Host=db.example;Port=6543;Database=cutover;Username=alice;Password=hunter2", TimeProvider.System);

        Assert.Equal("postgres", store.Provider);
        Assert.Equal("db.example:6543/cutover", store.Location);
        Assert.Null(store.FilePath);
    }

    [Theory]
    [InlineData("Nonsense Key=1;Password=hunter2", "is not a PostgreSQL connection string")]
    [InlineData("Port=5432;Database=cutover;Password=hunter2", "names no host")]
    [InlineData("Host=db;Port=notaport;Password=hunter2", "is not a PostgreSQL connection string")]
    public void Open_BadConnectionString_SaysWhatToFixWithoutThePassword(string connectionString, string expected)
    {
        var ex = Assert.Throws<StoreException>(() => StoreFactory.Open(StoreFactory.Postgres, connectionString, TimeProvider.System));

        Assert.Contains(expected, ex.Message);
        Assert.Contains("Store:ConnectionString", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain("hunter2", ex.InnerException?.Message ?? string.Empty);
    }

    [Fact]
    public async Task MigrateAsync_NoServerListening_StoreExceptionNamingTheStore()
    {
        var port = FreePort.Next();
        await using var store = StoreFactory.Open(StoreFactory.Postgres,
            $"Host=127.0.0.1;Port={port};Database=x;Username=postgres;Password=hunter2;Timeout=2", TimeProvider.System);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync(Cancel));

        Assert.Contains($"127.0.0.1:{port}/x", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Message);
    }

    [Fact]
    public async Task MigrateAsync_ThreeInstancesAtOnceOnAFreshDatabase_AppliesEachMigrationOnce()
    {
        // arrange: a database nobody migrated yet
        var fresh = await postgres.CreateDatabaseAsync(Cancel);
        var stores = Enumerable.Range(0, 3).Select(_ => StoreFactory.Open(StoreFactory.Postgres, fresh, TimeProvider.System)).ToList();

        // act
        var applied = await Task.WhenAll(stores.Select(s => s.MigrateAsync(Cancel)));

        // assert: the first did everything, the others found nothing left to do
        Assert.Equal(PostgresMigrations.All.Length, applied.Sum());
        Assert.Equal(PostgresMigrations.All.Length, applied.Max());
        Assert.Equal(PostgresMigrations.All.Length, await stores[0].SchemaVersionAsync(Cancel));
        Assert.Equal(PostgresMigrations.All.Length, await ScalarAsync<long>(fresh, "SELECT count(*) FROM schema_migrations"));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtSchemaVersion3_AddsIdentitiesAndInbound_KeepsItsConversations()
    {
        // arrange: a database as the previous version left it, with one remembered conversation
        var database = await postgres.CreateDatabaseAsync(Cancel);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(Cancel);
            await ExecuteAsync(connection, PostgresMigrations.CreateTableSql);
            foreach (var (version, description, sql) in PostgresMigrations.All.Where(m => m.Version <= 3))
            {
                await ExecuteAsync(connection, sql);
                await using var record = new NpgsqlCommand("INSERT INTO schema_migrations VALUES ($1, $2, now())", connection)
                {
                    Parameters = { new() { Value = version }, new() { Value = description } },
                };
                await record.ExecuteNonQueryAsync(Cancel);
            }

            await ExecuteAsync(connection, """
                INSERT INTO cutover_conversations VALUES ('u1', 'jobs', '2026-11-25T09:00:00Z', 'old', nextval('cutover_conversations_seq'))
                """);
        }

        await using var store = StoreFactory.Open(StoreFactory.Postgres, database, TimeProvider.System);

        // act
        var applied = await store.MigrateAsync(Cancel);
        var kept = await store.ReadConversationsAsync(0, Now.AddMinutes(-1), "nobody", 10, Cancel);
        await store.WriteConversationsAsync([new ConversationEntry("u1", string.Empty, Now, "new", Inbound: new InboundEntry("jobs", "unified", "jobs-unified", Now))], Cancel);
        await store.WriteIdentitiesAsync([new IdentityEntry("+15550001", "+15550001", 1, Now, "new")], Cancel);

        // assert
        Assert.Equal((2, 5), (applied, await store.SchemaVersionAsync(Cancel))); // 4 and queued delivery's 5
        Assert.Equal(new ConversationEntry("u1", "jobs", Now, "old", 1), Assert.Single(kept));
        var updated = Assert.Single(await store.ReadConversationsAsync(0, Now.AddMinutes(-1), "nobody", 10, Cancel));
        Assert.Equal(("jobs", 2L, "jobs-unified"), (updated.Domain, updated.Sequence, updated.Inbound?.Upstream));
        Assert.Single(await store.FindPersonAsync("+15550001", Cancel));

        static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(Cancel);
        }
    }

    [Fact]
    public async Task WriteDecisionsAsync_TwoStoresOnTheSameRollupKeysAtOnce_AddUpExactly()
    {
        // arrange: two instances, each writing 20 batches into the same few minutes × domains × routes × handlers
        await using var other = StoreFactory.Open(StoreFactory.Postgres, _connectionString, TimeProvider.System);
        var all = new List<DecisionRecord>();
        var perStore = new[] { new List<List<DecisionRecord>>(), new List<List<DecisionRecord>>() };
        var random = new Random(11);
        for (var s = 0; s < 2; s++)
        {
            for (var b = 0; b < 20; b++)
            {
                var batch = Enumerable.Range(0, 200).Select(i => Decision(random, Now.AddSeconds(random.Next(0, 180)), $"s{s}b{b}i{i}")).ToList();
                perStore[s].Add(batch);
                all.AddRange(batch);
            }
        }

        // act
        await Task.WhenAll(
            Task.Run(async () => { foreach (var batch in perStore[0]) { await Store.WriteDecisionsAsync(batch, Cancel); } }, Cancel),
            Task.Run(async () => { foreach (var batch in perStore[1]) { await other.WriteDecisionsAsync(batch, Cancel); } }, Cancel));

        // assert: every stored row is what aggregating all decisions at once gives, sketch included
        foreach (var resolution in (TimeSpan[])[Rollups.Minute, Rollups.Hour])
        {
            var expected = Rollups.Aggregate(all, resolution);
            var stored = await Store.ReadRollupsAsync(resolution, Now.AddHours(-1), Now.AddHours(2), Cancel);
            Assert.Equal(expected.Count, stored.Count);
            foreach (var row in stored)
            {
                var cell = expected[row.Key];
                Assert.Equal((cell.Requests, cell.Errors, cell.Fallbacks, cell.LastAtMs), (row.Requests, row.Errors, row.Fallbacks, row.LastAtMs));
                var sketch = LatencySketch.FromBytes(row.Latency);
                Assert.Equal(cell.Latency.NonEmptyBuckets(), sketch.NonEmptyBuckets());
                Assert.Equal((cell.Latency.Count, cell.Latency.ZeroCount, cell.Latency.Min, cell.Latency.Max),
                    (sketch.Count, sketch.ZeroCount, sketch.Min, sketch.Max));
                Assert.Equal(cell.Latency.Sum, sketch.Sum, 1e-9 * cell.Latency.Sum);
            }
        }
    }

    [Fact]
    public async Task WriteDecisionsAsync_NulCharacterInOutsideText_StoredWithAReplacementNotFailingTheBatch()
    {
        // arrange: PostgreSQL text cannot hold U+0000; a message id or a handler name from outside might
        var random = new Random(1);
        var poisoned = Decision(random, Now, "c\0x") with { MessageId = "wamid.\0", Handler = "agent\0a", Error = "bad\0" };

        // act
        await Store.WriteDecisionsAsync([Decision(random, Now, "fine"), poisoned], Cancel);

        // assert
        var read = await Store.QueryDecisionsAsync(new DecisionQuery(), Cancel);
        Assert.Equal(2, read.Count);
        Assert.Equal(("c\uFFFDx", "wamid.\uFFFD", "agent\uFFFDa", "bad\uFFFD"), (read[0].CorrelationId, read[0].MessageId, read[0].Handler, read[0].Error));
        Assert.Contains(await Store.ReadRollupsAsync(Rollups.Minute, Now, Now.AddMinutes(1), Cancel), static r => r.Handler == "agent\uFFFDa");
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_HoldersConnectionTerminated_LeaseIsFreeAndNoLongerHeld()
    {
        // arrange
        await using var other = StoreFactory.Open(StoreFactory.Postgres, _connectionString, TimeProvider.System);
        var lease = await Store.TryAcquireLeaseAsync("controller", Cancel);
        Assert.NotNull(lease);
        Assert.Null(await other.TryAcquireLeaseAsync("controller", Cancel));

        // act: what the server does to the connection of a process that was killed
        var terminated = await ScalarAsync<long>(_connectionString,
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);

        // assert
        Assert.Equal(1, terminated);
        IStoreLease? taken = null;
        await Eventually.WaitAsync(async () => (taken = await other.TryAcquireLeaseAsync("controller", Cancel)) is not null, Timeout,
            "the terminated holder's lease to be free");
        Assert.False(await lease.IsHeldAsync(Cancel));
        Assert.True(await taken!.IsHeldAsync(Cancel));
        await lease.DisposeAsync(); // harmless on a dead connection
        await taken.DisposeAsync();
    }

    [Fact]
    public async Task IsHeldAsync_KeysOfEitherSign_TrueWhileHeld()
    {
        // A lease's key is a 64-bit hash: pg_locks shows it as two unsigned halves, which a negative key must also match.
        var names = Enumerable.Range(0, 100).Select(static i => $"lease-{i}").ToList();
        string[] chosen = [names.First(static n => PostgresStore.LeaseKey(n) < 0), names.First(static n => PostgresStore.LeaseKey(n) > 0)];

        foreach (var name in chosen)
        {
            await using var lease = await Store.TryAcquireLeaseAsync(name, Cancel);

            Assert.NotNull(lease);
            Assert.True(await lease.IsHeldAsync(Cancel), name);
        }
    }

    [Fact]
    public async Task SubscribeAsync_ListenerTerminated_ReportsResyncAndStillDelivers()
    {
        // arrange
        await using var subscription = await Store.SubscribeAsync(Cancel);
        Assert.True(subscription.IsLive);
        var received = new List<string>();

        // act: cut the listening connection (the only one waiting on LISTEN)
        var terminated = await ScalarAsync<long>(_connectionString, """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
            """);

        // assert: a resync once it is back, then changes arrive again
        Assert.Equal(1, terminated);
        await ReadUntilAsync(subscription, received, StoreChannels.Resync);
        Assert.True(subscription.IsLive);
        await Store.LoadRoutingStateAsync(RoutingState.Initial(["jobs"], Now), Cancel);
        await ReadUntilAsync(subscription, received, StoreChannels.Routing);

        // disposing stops it, and more than once is harmless
        await subscription.DisposeAsync();
        await subscription.DisposeAsync();
        Assert.False(subscription.IsLive);
        while (subscription.Changes.TryRead(out _))
        {
            // drain what came before the end
        }

        Assert.True(subscription.Changes.Completion.IsCompleted);
    }

    [Fact]
    public async Task WriteDecisionsAsync_HundredThousandInBatchesOfAThousand_AllArrive()
    {
        // arrange
        var random = new Random(5);
        var batches = Enumerable.Range(0, 100)
            .Select(b => Enumerable.Range(0, 1_000).Select(i => Decision(random, Now.AddMilliseconds((b * 1_000) + i), $"c{b}-{i}")).ToList())
            .ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // act
        foreach (var batch in batches)
        {
            await Store.WriteDecisionsAsync(batch, Cancel);
        }

        // assert
        clock.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"100,000 decisions in {clock.Elapsed.TotalSeconds:0.00} s: {100_000 / clock.Elapsed.TotalSeconds:0} records/s (binary COPY + rollups per batch)");
        Assert.Equal(100_000, await ScalarAsync<long>(_connectionString, "SELECT count(*) FROM webhook_routing_logs"));
        var minutes = await Store.ReadRollupsAsync(Rollups.Minute, Now, Now.AddHours(1), Cancel);
        Assert.Equal(100_000, minutes.Sum(static r => r.Requests));
    }

    internal static DecisionRecord Decision(Random random, DateTimeOffset at, string correlationId)
    {
        string[] domains = ["jobs", "marketplace", "property"];
        string?[] handlers = [null, "agent-a", "agent-b"];
        var success = random.NextDouble() > 0.03;
        var fallback = !success && random.NextDouble() > 0.5;

        // Mostly log-normal around 100 ms, some zeros (no answer) and a slow tail.
        var latency = random.NextDouble() < 0.02 ? 0 : Math.Exp(4.6 + (random.NextDouble() * 2) - 1) * (random.NextDouble() < 0.05 ? 30 : 1);
        return new DecisionRecord(at, correlationId, $"wamid.{correlationId}", $"user-{random.Next(500)}", UpdateKind.Message,
            domains[random.Next(domains.Length)], ClassificationRule.Keyword, random.Next(10_000),
            random.Next(2) == 0 ? Route.Unified : Route.Legacy, "upstream", handlers[random.Next(handlers.Length)],
            success, success ? 200 : 503, latency, success ? null : "upstream failed", fallback);
    }

    [Fact]
    public async Task ClaimAsync_TwoInstancesAtOnce_NeverHoldTwoUpdatesOfOnePerson_TakeEachUpdateOnce_InOrder()
    {
        // arrange: 200 updates of 20 people, interleaved (p0, p1, …, p19, p0, …), and two instances on the database
        const int Updates = 200;
        for (var group = 0; group < Updates / 20; group++)
        {
            await Store.AcceptAsync([.. Enumerable.Range(group * 20, 20).Select(i => Webhook(i, ($"m{i}", $"p{i % 20}")))], Cancel);
        }

        await using var other = OpenSameDatabase();
        var events = 0L;
        var completed = 0;
        var claims = new System.Collections.Concurrent.ConcurrentQueue<(long Id, string Person, long ClaimedAt, long CompletingAt, string Owner)>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        // Each claimer takes a few at a time and delivers them one by one. Events are numbered on one counter: a claim
        // is numbered after its commit, a completion before its commit, so a later update of a person numbered as
        // claimed before the earlier one's completion was certainly held while the earlier one was.
        async Task ClaimUntilAllDeliveredAsync(ICutoverStore store, string owner)
        {
            await start.Task;
            while (Volatile.Read(ref completed) < Updates)
            {
                var batch = await store.ClaimAsync(owner, 7, Now.AddHours(1), TimeSpan.FromMinutes(10), timeout.Token);
                var claimedAt = Interlocked.Increment(ref events);
                foreach (var delivery in batch)
                {
                    await Task.Yield();
                    var completingAt = Interlocked.Increment(ref events);
                    claims.Enqueue((delivery.Id, delivery.PersonKey!, claimedAt, completingAt, owner));
                    Assert.True(await store.CompleteAsync(delivery.Id, owner, Attempt(1, "unified"), timeout.Token));
                    Interlocked.Increment(ref completed);
                }
            }
        }

        // act
        var a = Task.Run(() => ClaimUntilAllDeliveredAsync(Store, "a"), Cancel);
        var b = Task.Run(() => ClaimUntilAllDeliveredAsync(other, "b"), Cancel);
        start.SetResult();
        await Task.WhenAll(a, b);

        // assert
        var all = claims.ToList();
        Assert.Equal(Updates, all.Count);
        Assert.Equal(Updates, all.Select(static c => c.Id).Distinct().Count());
        Assert.Contains(all, static c => c.Owner == "a");
        Assert.Contains(all, static c => c.Owner == "b");
        foreach (var person in all.GroupBy(static c => c.Person))
        {
            var inOrder = person.OrderBy(static c => c.Id).ToList();
            Assert.Equal(10, inOrder.Count);
            for (var i = 1; i < inOrder.Count; i++)
            {
                Assert.True(inOrder[i].ClaimedAt > inOrder[i - 1].CompletingAt,
                    $"{person.Key}: update {inOrder[i].Id} was claimed by {inOrder[i].Owner} while {inOrder[i - 1].Id} was still held by {inOrder[i - 1].Owner}");
            }
        }

        Assert.Equal(new QueueStats(0, 0, 0, null, Updates), await Store.QueueStatsAsync(Cancel));
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Cancel))!;
    }

    internal static async Task ReadUntilAsync(IStoreSubscription subscription, List<string> received, string wanted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Timeout);
        while (true)
        {
            string change;
            try
            {
                change = await subscription.Changes.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"no '{wanted}' within {Timeout}; received [{string.Join(", ", received)}]");
            }

            received.Add(change);
            if (change == wanted)
            {
                return;
            }
        }
    }
}
