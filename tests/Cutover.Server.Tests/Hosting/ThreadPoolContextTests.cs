using Cutover.Server.Hosting;

namespace Cutover.Server.Tests.Hosting;

public sealed class ThreadPoolContextTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_AwaitsCompletedOnAnotherThread_ResumeOnThePool()
    {
        // arrange: I/O completed by a thread that would run the continuation itself, as a socket engine thread does
        // when completions run inline; each is completed only once the work waits for it
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        var atFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumedOnPool = new List<bool>();

        // act: two awaits, so the context must still be in place after the first
        var work = ThreadPoolContext.RunAsync(async () =>
        {
            atFirst.SetResult();
            await first.Task;
            resumedOnPool.Add(Thread.CurrentThread.IsThreadPoolThread);
            atSecond.SetResult();
            await second.Task;
            resumedOnPool.Add(Thread.CurrentThread.IsThreadPoolThread);
        });
        await atFirst.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        CompleteOnOwnThread(first);
        await atSecond.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        CompleteOnOwnThread(second);
        await work.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        // assert: not on the completing threads, which are not pool threads
        Assert.Equal([true, true], resumedOnPool);
    }

    [Fact]
    public async Task RunAsync_TheCallersContextIsLeftAsItWas()
    {
        // arrange
        var before = SynchronizationContext.Current;
        var io = new TaskCompletionSource();

        // act
        var work = ThreadPoolContext.RunAsync(async () => await io.Task);
        var during = SynchronizationContext.Current;
        io.SetResult();
        await work.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        // assert
        Assert.Same(before, during);
    }

    private static void CompleteOnOwnThread(TaskCompletionSource source)
    {
        var thread = new Thread(() => source.SetResult()) { IsBackground = true, Name = "completer" };
        thread.Start();
    }
}
