using Cutover.Server.DecisionLog;

namespace Cutover.Server.Tests.DecisionLog;

public sealed class WriterThreadTests : IDisposable
{
    private const string Name = "writer-thread-test";
    private readonly WriterThread _thread = new(Name, niceness: 0);

    [Fact]
    public async Task RunAsync_AwaitCompletedOnAnotherThread_ContinuesOnTheWriterThread()
    {
        // arrange: an await completed by another thread, which would run the continuation itself (no
        // RunContinuationsAsynchronously), as a socket engine thread does when completions run inline
        var io = new TaskCompletionSource();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? before = null, after = null;

        // act: the I/O completes once the work waits for it
        var work = _thread.RunAsync(async () =>
        {
            before = Thread.CurrentThread.Name;
            waiting.SetResult();
            await io.Task;
            after = Thread.CurrentThread.Name;
        });
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        CompleteOnOwnThread(io, "completer");
        await work.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // assert
        Assert.Equal((Name, Name), (before, after));
    }

    [Fact]
    public async Task RunAsync_WorkFailsAfterAnAwait_TheExceptionReachesTheCaller()
    {
        // arrange
        var io = new TaskCompletionSource();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // act
        var work = _thread.RunAsync(async () =>
        {
            waiting.SetResult();
            await io.Task;
            throw new InvalidOperationException("store refused the batch");
        });
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        CompleteOnOwnThread(io, "completer");
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => work.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        // assert
        Assert.Equal("store refused the batch", thrown.Message);
    }

    [Fact]
    public async Task RunAsync_WhileWorkAwaits_TheThreadTakesOtherWork()
    {
        // arrange: the first piece waits on I/O that only completes after the second piece ran
        var io = new TaskCompletionSource();
        var first = _thread.RunAsync(async () => await io.Task);

        // act
        var second = _thread.RunAsync(() => Task.CompletedTask);
        await second.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var firstDoneBeforeIo = first.IsCompleted;
        CompleteOnOwnThread(io, "completer");
        await first.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // assert: the thread was not blocked waiting for the first piece's I/O
        Assert.False(firstDoneBeforeIo);
    }

    public void Dispose() => _thread.Dispose();

    private static void CompleteOnOwnThread(TaskCompletionSource source, string name)
    {
        var thread = new Thread(() => source.SetResult()) { IsBackground = true, Name = name };
        thread.Start();
    }
}
