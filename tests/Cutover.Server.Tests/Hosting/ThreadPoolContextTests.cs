using Cutover.Server.Hosting;
using Microsoft.AspNetCore.Http;

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

    [Theory]
    [InlineData("/admin/status", true)]
    [InlineData("/readyz", true)]
    [InlineData("/metrics", true)]
    [InlineData("/webhook", false)]
    public async Task OffSocketThreads_OnlyTheWebhookStaysOnTheCallersThread(string path, bool onPool)
    {
        // arrange: the caller is a thread of its own, as a socket engine thread is
        var context = new DefaultHttpContext { Request = { Path = path } };
        int? ranOn = null;
        int? callerId = null;
        var done = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);

        // act
        var caller = new Thread(() =>
        {
            callerId = Environment.CurrentManagedThreadId;
            done.SetResult(CutoverHost.OffSocketThreads(context, _ =>
            {
                ranOn = Environment.CurrentManagedThreadId;
                return Task.CompletedTask;
            }));
        }) { IsBackground = true };
        caller.Start();
        await (await done.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken)).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        // assert
        Assert.Equal(onPool, ranOn != callerId);
    }

    [Fact]
    public async Task BackgroundService_AwaitCompletedOnAnotherThread_ResumesOnThePool()
    {
        // arrange
        var io = new TaskCompletionSource();
        using var service = new AwaitingService(io.Task);

        // act
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.Waiting.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        CompleteOnOwnThread(io);
        var resumedOnPool = await service.ResumedOnPool.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await service.StopAsync(TestContext.Current.CancellationToken);

        // assert
        Assert.True(resumedOnPool, "the service resumed on the completing thread, not on the pool");
    }

    private static void CompleteOnOwnThread(TaskCompletionSource source)
    {
        var thread = new Thread(() => source.SetResult()) { IsBackground = true, Name = "completer" };
        thread.Start();
    }

    private sealed class AwaitingService(Task io) : ThreadPoolBackgroundService
    {
        private readonly TaskCompletionSource<bool> _resumedOnPool = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<bool> ResumedOnPool => _resumedOnPool.Task;

        /// <summary>Done when the service is about to await <c>io</c>.</summary>
        public Task Waiting => _waiting.Task;

        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            _waiting.SetResult();
            await io;
            _resumedOnPool.SetResult(Thread.CurrentThread.IsThreadPoolThread);
        }
    }
}
