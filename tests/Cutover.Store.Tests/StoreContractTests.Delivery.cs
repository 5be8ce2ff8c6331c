using System.Text;

namespace Cutover.Store.Tests;

/// <summary>Queued delivery's store, on every provider: the inbox, leases, per-person order, dead letters, replay, purges.</summary>
public abstract partial class StoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Another store object on the same database, as a restarted process (or a second instance) opens it.</summary>
    protected abstract ICutoverStore OpenSameDatabase();

    /// <summary>How many rows <paramref name="table"/> holds, read past the store.</summary>
    protected abstract Task<long> CountRowsAsync(string table);

    [Fact]
    public async Task AcceptThenClaim_RoundTripsTheWebhookAndEachUpdate()
    {
        // arrange
        var body = Encoding.UTF8.GetBytes("""{"object":"whatsapp_business_account","entry":[]}""");
        var webhook = new InboxWebhook(Now, "corr-1", body, "sha256=abc", [new InboxUpdate(0, "m1", "p1"), new InboxUpdate(1, "m2", null)], null);

        // act
        var accepted = Assert.Single(await Store.AcceptAsync([webhook], Cancel));
        var claimed = await Store.ClaimAsync("w1", 10, Now, Lease, Cancel);
        var again = await Store.ClaimAsync("w2", 10, Now, Lease, Cancel);

        // assert
        Assert.True(accepted.InboxId > 0);
        Assert.Equal((2, 0), (accepted.Accepted, accepted.Duplicates));
        Assert.Equal(2, claimed.Count);
        Assert.True(claimed[0].Id < claimed[1].Id);
        Assert.Equal(
            [(0, "p1"), (1, (string?)null)],
            claimed.Select(static c => (c.UpdateIndex, c.PersonKey)));
        foreach (var c in claimed)
        {
            Assert.Equal(body, c.Body);
            Assert.Equal((accepted.InboxId, 2, "sha256=abc", "corr-1", Now, 0, (string?)null),
                (c.InboxId, c.UpdateCount, c.Signature, c.CorrelationId, c.AcceptedAt, c.Attempts, c.Target));
        }

        Assert.Empty(again);
    }

    [Fact]
    public async Task AcceptAsync_SameUpdateThreeTimes_OneDeliveryTwoDuplicates_RememberedByTheNextStore()
    {
        // arrange: Meta's retries (two in one group, one later), and a webhook mixing a new update with a repeat
        InboxWebhook Send(int second, params InboxUpdate[] updates) => new(Now.AddSeconds(second), $"c{second}", [1, 2, 3], "sig", updates, null);

        // act
        var first = await Store.AcceptAsync([Send(0, new InboxUpdate(0, "m1", "p1")), Send(1, new InboxUpdate(0, "m1", "p1"))], Cancel);
        var second = await Store.AcceptAsync([Send(2, new InboxUpdate(0, "m1", "p1"))], Cancel);
        var mixed = await Store.AcceptAsync([Send(3, new InboxUpdate(0, "m1", "p1"), new InboxUpdate(1, "m2", "p1"), new InboxUpdate(2, null, "p1"))], Cancel);
        await using var reopened = OpenSameDatabase();
        var afterReopen = await reopened.AcceptAsync([Send(4, new InboxUpdate(0, "m1", "p1")), Send(5, new InboxUpdate(0, "m2", "p2"))], Cancel);

        // assert
        Assert.True(first[0].InboxId > 0);
        Assert.Equal((1, 0), (first[0].Accepted, first[0].Duplicates));
        Assert.Equal(new AcceptResult(0, 0, 1), first[1]);
        Assert.Equal(new AcceptResult(0, 0, 1), Assert.Single(second));
        Assert.Equal((2, 1), (mixed[0].Accepted, mixed[0].Duplicates));
        Assert.Equal([new AcceptResult(0, 0, 1), new AcceptResult(0, 0, 1)], afterReopen);
        Assert.Equal(3, (await Store.QueueStatsAsync(Cancel)).Pending);
        Assert.Equal(2, await CountRowsAsync("cutover_inbox"));
    }

    [Fact]
    public async Task AcceptAsync_Committed_ReadByAnotherStoreOnTheSameDatabase()
    {
        // arrange: a second store, as the process that takes over after a crash would open the database
        await using var other = OpenSameDatabase();
        var body = "durable"u8.ToArray();

        // act
        var accepted = await Store.AcceptAsync([new InboxWebhook(Now, "c", body, null, [new InboxUpdate(0, "m1", "p1")], null)], Cancel);
        var claimed = await other.ClaimAsync("other", 10, Now, Lease, Cancel);

        // assert
        var delivery = Assert.Single(claimed);
        Assert.Equal((accepted[0].InboxId, (string?)null), (delivery.InboxId, delivery.Signature));
        Assert.Equal(body, delivery.Body);
    }

    [Fact]
    public async Task AcceptAsync_Unparseable_StoredAsADeadLetterAtOnce_NeverClaimed()
    {
        // arrange
        var body = "not json"u8.ToArray();

        // act
        var accepted = Assert.Single(await Store.AcceptAsync([new InboxWebhook(Now, "c", body, "sig", [], "'n' is an invalid start of a value")], Cancel));
        var claimed = await Store.ClaimAsync("w", 10, Now.AddDays(1), Lease, Cancel);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel);

        // assert
        Assert.True(accepted.InboxId > 0);
        Assert.Equal((0, 0), (accepted.Accepted, accepted.Duplicates));
        Assert.Empty(claimed);
        var letter = Assert.Single(letters);
        Assert.Equal(new DeadLetter(letter.Id, accepted.InboxId, -1, Now, Now, "unparseable", "'n' is an invalid start of a value", 0, null, null, null), letter);
        var detail = await Store.GetDeadLetterAsync(letter.Id, Cancel);
        Assert.Equal(body, detail!.Body);
        Assert.Empty(detail.History);
        Assert.Equal(new QueueStats(0, 0, 1, null, 0), await Store.QueueStatsAsync(Cancel));
    }

    [Fact]
    public async Task AcceptAsync_OneGroup_DuplicatesInsideAndBefore_UnparseableInTheMiddle_ResultsAndIdsInAcceptanceOrder()
    {
        // arrange: "old" accepted by an earlier group; then one group of: a repeat inside a webhook, a webhook of
        // repeats only, an unparseable webhook (whose update "x" is ignored, so "x" is new after it), updates without a
        // key or a person, and 60 more webhooks of three people, as large a group as the group commit makes
        await Store.AcceptAsync([Webhook(0, ("old", "p9"))], Cancel);
        var unparseable = new InboxWebhook(Now.AddSeconds(3), "c3", "not json"u8.ToArray(), "sig", [new InboxUpdate(0, "x", "p1")], "bad");
        InboxWebhook[] group =
        [
            Webhook(1, ("a", "p1"), ("a", "p1"), ("b", "p2")),
            Webhook(2, ("old", "p9"), ("a", "p1")),
            unparseable,
            Webhook(4, ("x", "p1"), (null, "p2"), ("c", null)),
            Webhook(5, (null, null)),
            .. Enumerable.Range(0, 60).Select(i => Webhook(10 + i, ($"k{i}", $"p{i % 3}"))),
        ];

        // act
        var results = await Store.AcceptAsync(group, Cancel);
        var claimed = new List<ClaimedDelivery>();
        for (var batch = await Store.ClaimAsync("w", 100, Now.AddDays(1), Lease, Cancel); batch.Count > 0;
            batch = await Store.ClaimAsync("w", 100, Now.AddDays(1), Lease, Cancel))
        {
            foreach (var c in batch)
            {
                Assert.True(await Store.CompleteAsync(c.Id, "w", Attempt(1, "unified"), Cancel));
            }

            claimed.AddRange(batch);
        }

        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));

        // assert: one result per webhook in order; stored webhooks' ids rise in acceptance order
        Assert.Equal(
            [(2, 1), (0, 2), (0, 0), (3, 0), (1, 0), .. Enumerable.Repeat((1, 0), 60)],
            results.Select(static r => (r.Accepted, r.Duplicates)));
        Assert.Equal(0, results[1].InboxId);
        var inboxIds = results.Where(static r => r.InboxId != 0).Select(static r => r.InboxId).ToList();
        Assert.Equal(64, inboxIds.Count);
        Assert.Equal(inboxIds.Order(), inboxIds);
        Assert.Equal(inboxIds.Count, inboxIds.Distinct().Count());

        // every queued update once (the earlier group's first), delivery ids in acceptance order, each with its own webhook
        var byId = claimed.OrderBy(static c => c.Id).ToList();
        Assert.Equal(
            [("c0", 0), ("c1", 0), ("c1", 2), ("c4", 0), ("c4", 1), ("c4", 2), ("c5", 0), .. Enumerable.Range(0, 60).Select(i => ($"c{10 + i}", 0))],
            byId.Select(static c => (c.CorrelationId, c.UpdateIndex)));
        Assert.All(byId.Skip(1), c => Assert.Equal(results[Array.FindIndex(group, w => w.CorrelationId == c.CorrelationId)].InboxId, c.InboxId));

        // the unparseable webhook: a dead letter at once, of its own body, between the updates accepted around it
        Assert.Equal((results[2].InboxId, -1, "unparseable", "bad"), (letter.InboxId, letter.UpdateIndex, letter.Reason, letter.Error));
        Assert.True(letter.Id > byId[2].Id && letter.Id < byId[3].Id);
        Assert.Equal("not json"u8.ToArray(), (await Store.GetDeadLetterAsync(letter.Id, Cancel))!.Body);
        Assert.Equal(65, await CountRowsAsync("cutover_dedup")); // old, a, b, x, c and k0..k59
    }

    [Fact]
    public async Task ClaimAsync_PerPersonOrder_OnlyEachPersonsHead_NextOneOnceTheFirstIsDelivered_NullPersonsUnordered()
    {
        // arrange: p1 twice, p2 once, and three updates of nobody in particular
        await Store.AcceptAsync(
        [
            Webhook(0, ("a", "p1")),
            Webhook(1, ("b", "p1")),
            Webhook(2, ("c", "p2")),
            Webhook(3, ("d", null), ("e", null), ("f", null)),
        ], Cancel);

        // act
        var first = await Store.ClaimAsync("w", 10, Now.AddMinutes(1), Lease, Cancel);
        var meanwhile = await Store.ClaimAsync("w", 10, Now.AddMinutes(1), Lease, Cancel);
        var p1First = first.Single(static c => c.PersonKey == "p1");
        Assert.True(await Store.CompleteAsync(p1First.Id, "w", Attempt(1, "unified"), Cancel));
        var next = await Store.ClaimAsync("w", 10, Now.AddMinutes(1), Lease, Cancel);

        // assert
        Assert.Equal(["p1", "p2", null, null, null], first.Select(static c => c.PersonKey));
        Assert.Equal("c0", p1First.CorrelationId);
        Assert.Empty(meanwhile);
        var second = Assert.Single(next);
        Assert.Equal(("p1", "c1"), (second.PersonKey, second.CorrelationId));
        Assert.True(second.Id > p1First.Id);
    }

    [Fact]
    public async Task ClaimAsync_LeaseRunsOut_AnotherOwnerTakesIt_TheFirstCanNoLongerFinishIt()
    {
        // arrange
        await Store.AcceptAsync([Webhook(0, ("a", "p1"))], Cancel);
        var mine = Assert.Single(await Store.ClaimAsync("crashed", 10, Now, Lease, Cancel));

        // act
        var beforeExpiry = await Store.ClaimAsync("rescuer", 10, Now + Lease, Lease, Cancel);
        var afterExpiry = await Store.ClaimAsync("rescuer", 10, Now + Lease + TimeSpan.FromMilliseconds(1), Lease, Cancel);
        var lateCompletion = await Store.CompleteAsync(mine.Id, "crashed", Attempt(1, "unified"), Cancel);

        // assert
        Assert.Empty(beforeExpiry);
        var taken = Assert.Single(afterExpiry);
        Assert.Equal((mine.Id, 0), (taken.Id, taken.Attempts));
        Assert.False(lateCompletion);
        Assert.True(await Store.CompleteAsync(mine.Id, "rescuer", Attempt(1, "unified"), Cancel));
        Assert.Equal(new QueueStats(0, 0, 0, null, 1), await Store.QueueStatsAsync(Cancel));
    }

    [Fact]
    public async Task FinishingALease_WrongOwner_ReturnsFalseAndChangesNothing()
    {
        // arrange
        await Store.AcceptAsync([Webhook(0, ("a", "p1"))], Cancel);
        var claimed = Assert.Single(await Store.ClaimAsync("owner", 10, Now, Lease, Cancel));

        // act
        bool[] refused =
        [
            await Store.CompleteAsync(claimed.Id, "intruder", Attempt(1, "unified"), Cancel),
            await Store.RetryLaterAsync(claimed.Id, "intruder", Attempt(1, "unified"), Now, Cancel),
            await Store.ReleaseAsync(claimed.Id, "intruder", Now, Cancel),
            await Store.DeadLetterAsync(claimed.Id, "intruder", null, "attempts", null, null, null, Cancel),
            await Store.CompleteAsync(claimed.Id + 1000, "owner", Attempt(1, "unified"), Cancel),
        ];

        // assert
        Assert.Equal([false, false, false, false, false], refused);
        Assert.Equal(new QueueStats(0, 1, 0, Now, 0), await Store.QueueStatsAsync(Cancel));
        Assert.True(await Store.CompleteAsync(claimed.Id, "owner", Attempt(1, "unified"), Cancel));
        Assert.False(await Store.CompleteAsync(claimed.Id, "owner", Attempt(1, "unified"), Cancel));
    }

    [Fact]
    public async Task FinishAsync_OneBatchOfEveryKind_EachRowAsItsOwnCallWouldLeaveIt_ALostLeaseChangesNothing()
    {
        // arrange: six persons' updates leased at once, as the delivery loop records a batch of outcomes together
        await Store.AcceptAsync([Webhook(0, ("a", "p1"), ("b", "p2"), ("c", "p3"), ("d", "p4"), ("e", "p5"), ("f", "p6"))], Cancel);
        var claimed = await Store.ClaimAsync("w", 10, Now, Lease, Cancel);
        Assert.Equal(6, claimed.Count);
        var later = Now.AddSeconds(10); // before the lease of the one an intruder failed to finish runs out

        // act
        var results = await Store.FinishAsync(
        [
            LeaseOutcome.Completed(claimed[0].Id, "w", Attempt(1, "unified")),
            LeaseOutcome.RetryLater(claimed[1].Id, "w", Attempt(1, "unified", 503), later),
            LeaseOutcome.Released(claimed[2].Id, "w", later),
            LeaseOutcome.DeadLettered(claimed[3].Id, "w", Attempt(1, "legacy", 422), "rejected", "HTTP 422", "jobs", "legacy"),
            LeaseOutcome.Completed(claimed[4].Id, "intruder", Attempt(1, "unified")),
            LeaseOutcome.DeadLettered(claimed[5].Id, "w", null, "max_age", "too old", "property", "unified"),
        ], Cancel);

        // assert
        Assert.Equal([true, true, true, true, false, true], results);
        Assert.Equal(new QueueStats(2, 1, 2, Now, 1), await Store.QueueStatsAsync(Cancel));
        var due = await Store.ClaimAsync("w", 10, later, Lease, Cancel);
        Assert.Equal([(claimed[1].Id, 1), (claimed[2].Id, 0)], due.Select(static c => (c.Id, c.Attempts)));
        var rejected = (await Store.GetDeadLetterAsync(claimed[3].Id, Cancel))!;
        Assert.Equal(("rejected", "HTTP 422", "jobs", "legacy", 1, "jobs"),
            (rejected.Letter.Reason, rejected.Letter.Error, rejected.Letter.Domain, rejected.Letter.Route, rejected.Letter.Attempts, rejected.Letter.LastUpstream));
        Assert.Equal([422], rejected.History.Select(static a => a.StatusCode));
        var old = (await Store.GetDeadLetterAsync(claimed[5].Id, Cancel))!;
        Assert.Equal(("max_age", "too old", 0, (string?)null), (old.Letter.Reason, old.Letter.Error, old.Letter.Attempts, old.Letter.LastUpstream));
        Assert.Empty(old.History);
        Assert.Empty(await Store.FinishAsync([], Cancel));
        Assert.True(await Store.CompleteAsync(claimed[4].Id, "w", Attempt(1, "unified"), Cancel)); // still the first owner's
    }

    [Fact]
    public async Task RetryLaterAsync_HiddenUntilDue_ThenClaimedWithTheAttemptCounted_ReleaseCountsNothing()
    {
        // arrange
        await Store.AcceptAsync([Webhook(0, ("a", "p1"), ("b", "p1"))], Cancel);
        var claimed = Assert.Single(await Store.ClaimAsync("w", 10, Now, Lease, Cancel));
        var due = Now.AddSeconds(10);

        // act
        Assert.True(await Store.RetryLaterAsync(claimed.Id, "w", Attempt(1, "unified", 503), due, Cancel));
        var early = await Store.ClaimAsync("w", 10, due.AddMilliseconds(-1), Lease, Cancel);
        var onTime = await Store.ClaimAsync("w", 10, due, Lease, Cancel);
        Assert.True(await Store.ReleaseAsync(claimed.Id, "w", due.AddSeconds(5), Cancel));
        var released = await Store.ClaimAsync("w", 10, due.AddSeconds(5), Lease, Cancel);

        // assert: the person's second update waits behind the first all along
        Assert.Empty(early);
        Assert.Equal((claimed.Id, 1), (Assert.Single(onTime).Id, onTime[0].Attempts));
        Assert.Equal((claimed.Id, 1), (Assert.Single(released).Id, released[0].Attempts));
    }

    [Fact]
    public async Task DeadLetterAsync_DetailHasEveryAttempt_ListFiltersNewestFirst()
    {
        // arrange: one update retried twice and given up at the third attempt; another dead at once on another route
        var body = "payload"u8.ToArray();
        await Store.AcceptAsync([new InboxWebhook(Now, "c", body, null, [new InboxUpdate(0, "a", "p1"), new InboxUpdate(1, "b", "p2")], null)], Cancel);
        var claimed = await Store.ClaimAsync("w", 10, Now, Lease, Cancel);
        var (first, other) = (claimed[0], claimed[1]);
        DeliveryAttempt[] attempts =
        [
            new(1, Now.AddSeconds(1), "jobs-unified", "unified", 503, "Service Unavailable", 12.5),
            new(2, Now.AddSeconds(5), "jobs-unified", "unified", 0, "connection refused", 0.75),
            new(3, Now.AddSeconds(20), "jobs", "legacy", 500, null, 1500),
        ];

        // act
        Assert.True(await Store.RetryLaterAsync(first.Id, "w", attempts[0], Now, Cancel));
        Assert.True(await Store.ClaimAsync("w", 10, Now, Lease, Cancel) is [var c2] && c2.Id == first.Id);
        Assert.True(await Store.RetryLaterAsync(first.Id, "w", attempts[1], Now, Cancel));
        Assert.True(await Store.ClaimAsync("w", 10, Now, Lease, Cancel) is [var c3] && c3.Id == first.Id);
        Assert.True(await Store.DeadLetterAsync(first.Id, "w", attempts[2], "attempts", "gave up after 3 attempts", "jobs", "legacy", Cancel));
        Assert.True(await Store.DeadLetterAsync(other.Id, "w", null, "age", null, "property", "unified", Cancel));

        // assert
        var detail = await Store.GetDeadLetterAsync(first.Id, Cancel);
        Assert.Equal(new DeadLetter(first.Id, first.InboxId, 0, Now, Now.AddSeconds(20), "attempts", "gave up after 3 attempts", 3, "jobs", "jobs", "legacy"),
            detail!.Letter);
        Assert.Equal(body, detail.Body);
        Assert.Equal(attempts, detail.History);
        var otherLetter = (await Store.GetDeadLetterAsync(other.Id, Cancel))!.Letter;
        Assert.Equal(("age", 0, (string?)null), (otherLetter.Reason, otherLetter.Attempts, otherLetter.LastUpstream));
        Assert.True(otherLetter.DeadAt > Now.AddSeconds(20)); // the store's clock, now: no attempt gave a time

        Assert.Equal([other.Id, first.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel)).Select(static l => l.Id));
        Assert.Equal([first.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Domain: "jobs"), Cancel)).Select(static l => l.Id));
        Assert.Equal([first.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Upstream: "jobs"), Cancel)).Select(static l => l.Id));
        Assert.Equal([other.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Reason: "age"), Cancel)).Select(static l => l.Id));
        Assert.Equal([other.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Since: Now.AddSeconds(21)), Cancel)).Select(static l => l.Id));
        Assert.Equal([other.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Limit: 1), Cancel)).Select(static l => l.Id));
        Assert.Equal([first.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Until: Now.AddSeconds(20)), Cancel)).Select(static l => l.Id));
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery(Until: Now.AddSeconds(19)), Cancel));
        Assert.Null(await Store.GetDeadLetterAsync(first.Id + 1000, Cancel));
        Assert.Equal([first.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery(Route: "legacy"), Cancel)).Select(static l => l.Id));

        // Counted as listed, whatever the limit: what the health check reads every few seconds.
        Assert.Equal(2, await Store.CountDeadLettersAsync(new DeadLetterQuery(Limit: 1), Cancel));
        Assert.Equal(1, await Store.CountDeadLettersAsync(new DeadLetterQuery(Route: "unified"), Cancel));
        Assert.Equal(0, await Store.CountDeadLettersAsync(new DeadLetterQuery(Route: "legacy", Since: Now.AddSeconds(21)), Cancel));
        Assert.Equal(1, await Store.CountDeadLettersAsync(new DeadLetterQuery(Reason: "attempts", Domain: "jobs"), Cancel));
    }

    [Fact]
    public async Task ReplayAsync_DeadBackToPendingWithTargetAndNoAttempts_HistoryKept_OthersIgnored()
    {
        // arrange: one dead letter after an attempt, one update still pending
        await Store.AcceptAsync([Webhook(0, ("a", "p1")), Webhook(1, ("b", "p2"))], Cancel);
        var claimed = await Store.ClaimAsync("w", 1, Now, Lease, Cancel);
        var dead = Assert.Single(claimed);
        Assert.True(await Store.DeadLetterAsync(dead.Id, "w", Attempt(1, "unified", 500), "attempts", "boom", "jobs", "unified", Cancel));
        var pending = await Store.QueueStatsAsync(Cancel);

        // act
        var moved = await Store.ReplayAsync([dead.Id, dead.Id + 1, dead.Id + 1000], "legacy", Now.AddHours(1), Cancel);
        var notYet = await Store.ClaimAsync("w", 10, Now.AddHours(1).AddMilliseconds(-1), Lease, Cancel);
        var replayed = await Store.ClaimAsync("w", 10, Now.AddHours(1), Lease, Cancel);

        // assert
        Assert.Equal(new QueueStats(1, 0, 1, Now.AddSeconds(1), 0), pending);
        Assert.Equal([dead.Id], moved); // the pending one and the unknown one are not dead letters
        Assert.Equal([dead.Id + 1], notYet.Select(static c => c.Id)); // the other update was due all along
        var again = Assert.Single(replayed);
        Assert.Equal((dead.Id, 0, "legacy"), (again.Id, again.Attempts, again.Target));
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));
        Assert.True(await Store.DeadLetterAsync(again.Id, "w", Attempt(2, "legacy", 502), "attempts", null, "jobs", "legacy", Cancel));
        var detail = await Store.GetDeadLetterAsync(again.Id, Cancel);
        Assert.Equal([500, 502], detail!.History.Select(static a => a.StatusCode));
        Assert.Equal(1, detail.Letter.Attempts);
    }

    [Fact]
    public async Task QueueStatsAsync_CountsEachStateAndTheOldestUndelivered()
    {
        // arrange: five updates of five people: one delivered, one in flight, one dead, two pending
        await Store.AcceptAsync([.. Enumerable.Range(0, 5).Select(i => Webhook(i, ($"m{i}", $"p{i}")))], Cancel);
        var claimed = await Store.ClaimAsync("w", 3, Now.AddMinutes(1), Lease, Cancel);
        Assert.True(await Store.CompleteAsync(claimed[0].Id, "w", Attempt(1, "unified"), Cancel));
        Assert.True(await Store.DeadLetterAsync(claimed[2].Id, "w", null, "attempts", null, null, null, Cancel));

        // act
        var stats = await Store.QueueStatsAsync(Cancel);

        // assert: the oldest undelivered is the one in flight, accepted a second after the delivered one
        Assert.Equal(new QueueStats(2, 1, 1, Now.AddSeconds(1), 1), stats);
    }

    [Fact]
    public async Task Purges_DeleteOnlyWhatIsOlder_KeepTheBodyWhileAnUpdateNeedsIt_ForgetDedupKeys()
    {
        // arrange: a webhook of two updates, one delivered at +10 s and one still pending; another dead at +20 s
        await Store.AcceptAsync([Webhook(0, ("a", "p1"), ("b", "p2")), Webhook(1, ("c", "p3"))], Cancel);
        var claimed = await Store.ClaimAsync("w", 10, Now.AddSeconds(1), Lease, Cancel);
        Assert.True(await Store.CompleteAsync(claimed[0].Id, "w", Attempt(1, "unified", at: Now.AddSeconds(10)), Cancel));
        Assert.True(await Store.ReleaseAsync(claimed[1].Id, "w", Now, Cancel));
        Assert.True(await Store.DeadLetterAsync(claimed[2].Id, "w", Attempt(1, "unified", 500, Now.AddSeconds(20)), "attempts", null, null, null, Cancel));

        // act
        var deliveredTooEarly = await Store.PurgeDeliveredAsync(Now.AddSeconds(10), Cancel);
        var delivered = await Store.PurgeDeliveredAsync(Now.AddDays(1), Cancel);
        var inboxAfterDelivered = await CountRowsAsync("cutover_inbox");
        var pendingStill = await Store.ClaimAsync("w", 10, Now, Lease, Cancel);
        var deadTooEarly = await Store.PurgeDeadLettersAsync(Now.AddSeconds(20), Cancel);
        var dead = await Store.PurgeDeadLettersAsync(Now.AddDays(1), Cancel);
        var inboxAfterDead = await CountRowsAsync("cutover_inbox");
        var attemptsAfterDead = await CountRowsAsync("cutover_delivery_attempts");
        var dedupTooEarly = await Store.PurgeDedupAsync(Now, Cancel);
        var dedup = await Store.PurgeDedupAsync(Now.AddSeconds(1), Cancel);
        var resent = await Store.AcceptAsync([Webhook(5, ("a", "p1")), Webhook(6, ("c", "p3"))], Cancel);

        // assert
        Assert.Equal((0L, 1L), (deliveredTooEarly, delivered));
        Assert.Equal(2, inboxAfterDelivered); // the first webhook's body is still needed by its pending update
        Assert.Equal([claimed[1].Id], pendingStill.Select(static c => c.Id));
        Assert.Equal("payload"u8.ToArray(), pendingStill[0].Body);
        Assert.Equal((0L, 1L), (deadTooEarly, dead));
        Assert.Equal(1, inboxAfterDead); // the dead letter's webhook had nothing else
        Assert.Equal(0, attemptsAfterDead); // the delivered one's and the dead letter's went with them
        Assert.Equal((0L, 2L), (dedupTooEarly, dedup)); // a and b at Now; c at Now + 1 s stays
        Assert.Equal([1, 0], resent.Select(static r => r.Accepted));
    }

    /// <summary>A webhook received <paramref name="second"/> s after <see cref="Now"/> with one update per (dedup key, person).</summary>
    protected static InboxWebhook Webhook(int second, params (string? Key, string? Person)[] updates) => new(
        Now.AddSeconds(second), $"c{second}", "payload"u8.ToArray(), "sig",
        [.. updates.Select(static (u, i) => new InboxUpdate(i, u.Key, u.Person))], null);

    protected static DeliveryAttempt Attempt(int number, string route, int status = 200, DateTimeOffset? at = null) =>
        new(number, at ?? Now.AddSeconds(number), route == "unified" ? "jobs-unified" : "jobs", route, status, status >= 400 ? $"HTTP {status}" : null, 10);
}
