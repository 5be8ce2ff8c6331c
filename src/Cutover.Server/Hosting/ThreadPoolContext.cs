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
    public static Task RunAsync(Func<Task> work) => Task.Run(() => Within(work, static work => work()));

    public override void Post(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => Within(s, static s =>
        {
            s.callback(s.state);
            return true;
        }), (callback, state), preferLocal: false);

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="body"/> with this context as the current one, then puts back the thread's own.</summary>
    private static TResult Within<TState, TResult>(TState state, Func<TState, TResult> body)
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        try
        {
            return body(state);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
