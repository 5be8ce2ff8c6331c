using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Cutover.Server.DecisionLog;

/// <summary>
/// One dedicated thread, by default at a lower scheduling priority on Linux, that runs the decision log writer's CPU
/// work (hashing user keys, encoding and inserting a batch), so that request threads preempt it instead of waiting
/// behind a batch for a time slice. A lower priority weighs less, but its share of a saturated core shrinks with every
/// runnable request thread: the writer keeps a second one at normal priority for when it falls behind.
/// </summary>
/// <remarks>
/// On Linux the nice value is a per-thread attribute (setpriority(2), BUGS), so <c>setpriority(PRIO_PROCESS, 0, n)</c>
/// from this thread lowers this thread only, and lowering needs no privilege. Elsewhere the thread runs at normal
/// priority. Work that awaits (a network store) comes back to this thread after each await, through the thread's
/// <see cref="SynchronizationContext"/>: otherwise a PostgreSQL batch's COPY encoding would continue on whichever thread
/// completed the socket read, a socket engine thread when completions run inline (<see cref="Hosting.InlineCompletions"/>).
/// </remarks>
internal sealed class WriterThread : IDisposable
{
    /// <summary>Nice 5: about a third of a normal thread's weight when both want the CPU.</summary>
    internal const int Niceness = 5;

    private readonly BlockingCollection<Action> _work = new();
    private readonly int _niceness;

    /// <param name="name">The thread's name.</param>
    /// <param name="niceness">The nice value the thread sets for itself: 0 leaves it at normal priority.</param>
    public WriterThread(string name, int niceness = Niceness)
    {
        _niceness = niceness;
        var thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Whether the thread's priority was lowered (false off Linux, or if the kernel refused).</summary>
    public bool Lowered { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer thread, and its continuations after every await; its exceptions reach
    /// the caller. The thread is not blocked while the work awaits, so the caller runs one piece of work at a time.
    /// </summary>
    public Task RunAsync(Func<Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            Task task;
            try
            {
                task = work();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
                return;
            }

            task.ContinueWith(static (t, state) => Complete(t, (TaskCompletionSource)state!), done,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
        return done.Task;
    }

    public void Dispose() => _work.CompleteAdding();

    private static void Complete(Task work, TaskCompletionSource done)
    {
        try
        {
            work.GetAwaiter().GetResult();
            done.SetResult();
        }
        catch (Exception ex)
        {
            done.SetException(ex);
        }
    }

    private void Run()
    {
        if (_niceness > 0 && OperatingSystem.IsLinux())
        {
            Lowered = SetPriority(0 /* PRIO_PROCESS */, 0 /* the calling thread, on Linux */, _niceness) == 0;
        }

        SynchronizationContext.SetSynchronizationContext(new Context(this));
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }

    /// <summary>Brings an await's continuation back to the writer thread (to the pool once the thread is stopped).</summary>
    private sealed class Context(WriterThread thread) : SynchronizationContext, Hosting.IOffSocketContext
    {
        public override void Post(SendOrPostCallback callback, object? state)
        {
            try
            {
                thread._work.Add(() => callback(state));
            }
            catch (InvalidOperationException)
            {
                // Disposed: nothing may be left behind, so the continuation runs on the pool.
                ThreadPool.QueueUserWorkItem(static s => s.callback(s.state), (callback, state), preferLocal: false);
            }
        }

        public override SynchronizationContext CreateCopy() => this;
    }

    // DllImport rather than LibraryImport: three ints need no marshalling code, and no unsafe blocks in the project.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);
}
