using System.Threading.Channels;

namespace Cutover.Server.Delivery;

/// <summary>
/// Commits items submitted concurrently in groups: one commit (one fsync) for whatever arrived while the previous commit
/// ran, up to <c>maxGroup</c> items; a group begun when nothing was waiting waits at most <c>linger</c> for company. Each submitter
/// gets its own item's result, or the commit's exception, when the group holding its item is committed, so a webhook is
/// answered 200 only once it is durable, and durability does not cost one fsync per webhook.
/// </summary>
/// <remarks>
/// One loop owns the committing, so commits never overlap and each sees the items in submission order. A commit that
/// throws fails only its own group (those requests answer non-200, so Meta retries them); the loop goes on with the next.
/// The queue is bounded: when it is full, <see cref="SubmitAsync"/> waits, which is the back-pressure a slow store puts on
/// the requests.
/// </remarks>
internal sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _commit;
    private readonly int _maxGroup;
    private readonly TimeSpan _linger;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _groups;
    private long _items;

    /// <param name="commit">Commits one group durably and returns one result per item, in order.</param>
    /// <param name="maxGroup">The most items in one commit.</param>
    /// <param name="linger">How long a group that is not full may wait for more items; zero commits at once.</param>
    /// <param name="capacity">How many items may wait; beyond that, submitters wait.</param>
    public GroupCommit(
        Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> commit, int maxGroup, TimeSpan linger, int capacity,
        TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(linger, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _commit = commit;
        _maxGroup = maxGroup;
        _linger = linger;
        _time = time;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Groups committed so far.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Items committed so far (successfully or not).</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>Items waiting for a group.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues <paramref name="item"/> and completes with its result once its group is committed.</summary>
    public async ValueTask<TResult> SubmitAsync(TItem item, CancellationToken cancellationToken)
    {
        // Continuations run off the committing loop, so a slow request handler never holds up the next group.
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Result.Task;
    }

    public async ValueTask DisposeAsync()
    {
        // What was submitted before disposal is still committed: it may already have a caller waiting for its 200.
        _queue.Writer.TryComplete();
        await _loop;
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var group = new List<Pending>(_maxGroup);
        var items = new List<TItem>(_maxGroup);
        while (true)
        {
            // Items already waiting came while the last commit ran: they have waited as long as a linger would make
            // them, and more, so they go at once. Only a group begun on an idle loop lingers for company; lingering
            // after every commit would leave the store idle for a linger in each cycle under load.
            var waiting = _queue.Reader.Count > 0;
            if (!waiting && !await _queue.Reader.WaitToReadAsync())
            {
                break;
            }

            Take(group);
            if (!waiting && group.Count < _maxGroup && _linger > TimeSpan.Zero)
            {
                await LingerAsync(group);
            }

            items.Clear();
            foreach (var pending in group)
            {
                items.Add(pending.Item);
            }

            await CommitAsync(group, items);
            group.Clear();
        }
    }

    private void Take(List<Pending> group)
    {
        while (group.Count < _maxGroup && _queue.Reader.TryRead(out var pending))
        {
            group.Add(pending);
        }
    }

    /// <summary>Waits up to the linger for the group to fill, taking what arrives meanwhile.</summary>
    private async Task LingerAsync(List<Pending> group)
    {
        using var timeout = new CancellationTokenSource(_linger, _time);
        try
        {
            while (group.Count < _maxGroup && await _queue.Reader.WaitToReadAsync(timeout.Token))
            {
                Take(group);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
    }

    private async Task CommitAsync(List<Pending> group, List<TItem> items)
    {
        Interlocked.Increment(ref _groups);
        Interlocked.Add(ref _items, group.Count);
        try
        {
            var results = await _commit(items, _stopping.Token);
            if (results.Count != group.Count)
            {
                throw new InvalidOperationException($"the commit returned {results.Count} results for {group.Count} items");
            }

            for (var i = 0; i < group.Count; i++)
            {
                group[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in group)
            {
                pending.Result.TrySetException(ex);
            }
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Result);
}
