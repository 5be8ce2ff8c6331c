namespace Cutover.Server.Hosting;

/// <summary>
/// A synchronization context that resumes every await on the thread pool, whichever thread completed what was awaited.
/// Requests other than webhooks run under it, so that their blocking work (SQLite, fsync) never holds a socket engine
/// thread when completions run inline (<see cref="InlineCompletions"/>).
/// </summary>
internal sealed class ThreadPoolContext : SynchronizationContext
{
    private static readonly ThreadPoolContext Instance = new();

    private ThreadPoolContext()
    {
    }

    /// <summary>Starts <paramref name="work"/> on the thread pool, under this context: it and its continuations stay there.</summary>
    public static Task RunAsync(Func<Task> work) => Task.Run(() => Within(work));

    public override void Post(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => Within(s.callback, s.state), (callback, state), preferLocal: false);

    public override SynchronizationContext CreateCopy() => this;

    private static Task Within(Func<Task> work)
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        try
        {
            return work();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private static void Within(SendOrPostCallback callback, object? state)
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        try
        {
            callback(state);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
