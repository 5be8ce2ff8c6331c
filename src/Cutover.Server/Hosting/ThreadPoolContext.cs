namespace Cutover.Server.Hosting;

/// <summary>
/// A synchronization context that resumes every await on the thread pool, whichever thread completed what was awaited.
/// Everything but the webhook runs under it (<see cref="OffSocketThreads"/>), so that its blocking work (SQLite, fsync)
/// never holds a socket engine thread when completions run inline (<see cref="InlineCompletions"/>).
/// </summary>
/// <remarks>
/// Work started by <see cref="RunAsync"/> carries a mark in its execution context, which flows wherever the work goes
/// (a <c>Task.Run</c>, a timer, a continuation): whenever marked work starts on a thread that has no context, this one is
/// put in place. That is what reaches a <see cref="Microsoft.Extensions.Hosting.BackgroundService"/>, whose
/// <c>ExecuteAsync</c> the host runs through <c>Task.Run</c> (since .NET 10), where no synchronization context follows.
/// The runtime puts the thread's own context back once the work is done (it does after every execution context switch).
/// </remarks>
internal sealed class ThreadPoolContext : SynchronizationContext, IOffSocketContext
{
    private static readonly ThreadPoolContext Instance = new();

    private static readonly AsyncLocal<object?> Mark = new(static change =>
    {
        if (change.ThreadContextChanged && change.CurrentValue is not null && Current is null)
        {
            SetSynchronizationContext(Instance);
        }
    });

    private ThreadPoolContext()
    {
    }

    /// <summary>Whether the calling code runs under this context: its awaits resume on the thread pool.</summary>
    public static bool IsCurrent => Current is ThreadPoolContext;

    /// <summary>Starts <paramref name="work"/> on the thread pool, under this context: it, its continuations and what it starts stay there.</summary>
    public static Task RunAsync(Func<Task> work) => Task.Run(() => Within(work, static work => work(), mark: true));

    /// <inheritdoc cref="RunAsync(Func{Task})"/>
    public static Task<T> RunAsync<T>(Func<Task<T>> work) => Task.Run(() => Within(work, static work => work(), mark: true));

    public override void Post(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => Within(s, static s =>
        {
            s.callback(s.state);
            return true;
        }, mark: false), (callback, state), preferLocal: false);

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// Runs <paramref name="body"/> with this context as the current one, then puts back the thread's own. A continuation
    /// needs no <paramref name="mark"/>: it runs in the execution context of the work it continues, marked already.
    /// </summary>
    private static TResult Within<TState, TResult>(TState state, Func<TState, TResult> body, bool mark)
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        if (mark)
        {
            Mark.Value = Instance;
        }

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
