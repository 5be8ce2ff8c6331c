using Cutover.Server.Delivery;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Delivery;

/// <summary>
/// The group commit queued delivery acknowledges through: concurrent items share commits, each gets its own result,
/// a failed commit fails only its own group. Grouping is made deterministic by holding the first commit on a gate
/// while the others queue.
/// </summary>
public sealed class GroupCommitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ItemsQueuedDuringACommit_GoIntoTheNextGroups_EachWithItsOwnResult()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCommitStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var groups = new List<int[]>();
        await using var commit = new GroupCommit<int, int>(async (items, _) =>
        {
            lock (groups)
            {
                groups.Add([.. items]);
            }

            firstCommitStarted.TrySetResult();
            await gate.Task;
            return [.. items.Select(static i => i * 2)];
        }, maxGroup: 32, linger: TimeSpan.Zero, capacity: 1_000, TimeProvider.System);

        var first = commit.SubmitAsync(0, Cancel).AsTask();
        await firstCommitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var rest = Enumerable.Range(1, 100).Select(i => Task.Run(() => commit.SubmitAsync(i, Cancel).AsTask(), Cancel)).ToArray();
        await Eventually.WaitAsync(() => commit.Queued == 100, TimeSpan.FromSeconds(10), "the 100 items queued behind the first commit");
        gate.SetResult();

        Assert.Equal(0, await first);
        var results = await Task.WhenAll(rest);
        Assert.Equal(Enumerable.Range(1, 100).Select(static i => i * 2), results);
        Assert.Equal([1, 32, 32, 32, 4], groups.Select(static g => g.Length));
        Assert.Equal(Enumerable.Range(0, 101), groups.SelectMany(static g => g).Order());
        Assert.Equal((5, 101), (commit.Groups, commit.Items));
    }

    [Fact]
    public async Task AFailedCommit_FailsItsOwnGroupOnly()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var commit = new GroupCommit<string, string>(async (items, _) =>
        {
            started.TrySetResult();
            await gate.Task;
            if (items.Contains("bad"))
            {
                throw new InvalidOperationException("disk full");
            }

            return [.. items.Select(static s => s.ToUpperInvariant())];
        }, maxGroup: 3, linger: TimeSpan.Zero, capacity: 100, TimeProvider.System);

        var ok = commit.SubmitAsync("ok", Cancel).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var sameGroup = new[] { "a", "bad", "b" }.Select(s => commit.SubmitAsync(s, Cancel).AsTask()).ToArray();
        await Eventually.WaitAsync(() => commit.Queued == 3, TimeSpan.FromSeconds(10), "three items queued");
        var later = commit.SubmitAsync("later", Cancel).AsTask();
        gate.SetResult();

        Assert.Equal("OK", await ok);
        foreach (var failed in sameGroup)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
            Assert.Equal("disk full", error.Message);
        }

        Assert.Equal("LATER", await later);
    }

    [Fact]
    public async Task AGroupNotFull_WaitsForTheLinger_AFullOneDoesNot()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var groups = new List<int>();
        await using var commit = new GroupCommit<int, int>((items, _) =>
        {
            lock (groups)
            {
                groups.Add(items.Count);
            }

            return Task.FromResult<IReadOnlyList<int>>([.. items]);
        }, maxGroup: 4, linger: TimeSpan.FromMilliseconds(5), capacity: 100, time);

        // Four items fill a group: committed without the clock moving.
        var full = Enumerable.Range(0, 4).Select(i => commit.SubmitAsync(i, Cancel).AsTask()).ToArray();
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Task.WhenAll(full).WaitAsync(TimeSpan.FromSeconds(10), Cancel));

        // One item alone waits for the linger: the fake clock has not moved, so it cannot have been committed.
        var alone = commit.SubmitAsync(9, Cancel).AsTask();
        await Eventually.WaitAsync(() => commit.Queued == 0, TimeSpan.FromSeconds(10), "the lone item taken into a group");
        Assert.False(alone.IsCompleted);

        // The loop may not have armed its timer yet when the clock first moves: move it until the linger ends.
        await Eventually.WaitAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            return alone.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the lone item committed once the linger passed");
        Assert.Equal(9, await alone);
        Assert.Equal([4, 1], groups);
    }

    [Fact]
    public async Task ItemsWaitingWhenACommitEnds_GoAtOnce_WithoutTheLinger()
    {
        // Under load the webhooks that came during a commit have waited long enough: lingering again would idle the store.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var groups = new List<int>();
        await using var commit = new GroupCommit<int, int>(async (items, _) =>
        {
            lock (groups)
            {
                groups.Add(items.Count);
            }

            await gate.Task;
            return [.. items];
        }, maxGroup: 4, linger: TimeSpan.FromMilliseconds(5), capacity: 100, time);

        var full = Enumerable.Range(0, 4).Select(i => commit.SubmitAsync(i, Cancel).AsTask()).ToArray();
        await Eventually.WaitAsync(() => commit.Groups == 1, TimeSpan.FromSeconds(10), "the full group committing");
        var waiting = Enumerable.Range(4, 2).Select(i => commit.SubmitAsync(i, Cancel).AsTask()).ToArray();
        await Eventually.WaitAsync(() => commit.Queued == 2, TimeSpan.FromSeconds(10), "two items queued behind it");
        gate.SetResult();

        // The clock never moves: only a group that did not wait for the linger can complete.
        Assert.Equal(new[] { 4, 5 }, await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Task.WhenAll(full));
        Assert.Equal([4, 2], groups);
    }

    [Fact]
    public async Task ACommitThatReturnsTheWrongNumberOfResults_FailsItsItems()
    {
        await using var commit = new GroupCommit<int, int>((_, _) => Task.FromResult<IReadOnlyList<int>>([]),
            maxGroup: 8, linger: TimeSpan.Zero, capacity: 10, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => commit.SubmitAsync(1, Cancel).AsTask());
        Assert.Contains("0 results for 1 items", error.Message);
    }

    [Fact]
    public async Task Dispose_CommitsWhatWasAlreadySubmitted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new GroupCommit<int, int>(async (items, _) =>
        {
            started.TrySetResult();
            await gate.Task;
            return [.. items];
        }, maxGroup: 2, linger: TimeSpan.Zero, capacity: 10, TimeProvider.System);

        var first = commit.SubmitAsync(1, Cancel).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var second = commit.SubmitAsync(2, Cancel).AsTask();
        var third = commit.SubmitAsync(3, Cancel).AsTask();
        var disposed = commit.DisposeAsync().AsTask();
        gate.SetResult();
        await disposed.WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal(new[] { 1, 2, 3 }, await Task.WhenAll(first, second, third));
    }
}
