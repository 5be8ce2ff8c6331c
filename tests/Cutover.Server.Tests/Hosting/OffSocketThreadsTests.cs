using Cutover.Core.Health;
using Cutover.Server.Hosting;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cutover.Server.Tests.Hosting;

/// <summary>The rule "nothing blocks a socket thread" as <see cref="OffSocketThreads"/> applies it.</summary>
public sealed class OffSocketThreadsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/admin/status", true)]
    [InlineData("/readyz", true)]
    [InlineData("/metrics", true)]
    [InlineData("/webhook", false)]
    public async Task Requests_OnlyTheWebhookStaysOnTheCallersThread(string path, bool onPool)
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
            done.SetResult(OffSocketThreads.Requests(context, _ =>
            {
                ranOn = Environment.CurrentManagedThreadId;
                return Task.CompletedTask;
            }));
        }) { IsBackground = true };
        caller.Start();
        await (await done.Task.WaitAsync(Timeout, Cancel)).WaitAsync(Timeout, Cancel);

        // assert
        Assert.Equal(onPool, ranOn != callerId);
    }

    [Fact]
    public async Task HostedService_PlainBackgroundServiceWrapped_ResumesOnThePool()
    {
        // arrange: a plain BackgroundService, no base class of Cutover's
        var io = new TaskCompletionSource();
        using var service = new AwaitingService(io.Task);
        var hosted = new OffSocketHostedService(service, owned: false);

        // act
        await hosted.StartAsync(Cancel);
        await service.Waiting.WaitAsync(Timeout, Cancel);
        CompleteOnOwnThread(io);
        var resumedOn = await service.ResumedOn.WaitAsync(Timeout, Cancel);
        await hosted.StopAsync(Cancel);

        // assert
        Assert.True(resumedOn.Pool, $"the service resumed on '{resumedOn.Name}', not on the pool");
    }

    [Fact]
    public async Task HostedService_PlainBackgroundServiceUnwrapped_ResumesOnTheCompletingThread()
    {
        // arrange: the same service without the wrapper: what the wrapper is for (the host starts ExecuteAsync with
        // Task.Run, where no synchronization context follows)
        var io = new TaskCompletionSource();
        using var service = new AwaitingService(io.Task);

        // act
        await service.StartAsync(Cancel);
        await service.Waiting.WaitAsync(Timeout, Cancel);
        CompleteOnOwnThread(io);
        var resumedOn = await service.ResumedOn.WaitAsync(Timeout, Cancel);
        await service.StopAsync(Cancel);

        // assert
        Assert.Equal("completer", resumedOn.Name);
    }

    [Fact]
    public async Task Apply_RealHost_EveryCutoverHostedServiceAndStoreRoleIsWrapped()
    {
        // arrange
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        var extra = new AwaitingService(Task.CompletedTask);
        await using var harness = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel,
            services: s => s.AddHostedService(_ => extra));

        // act
        var hosted = harness.App.Services.GetServices<IHostedService>().ToList();
        object[] roles =
        [
            harness.Service<IStoreDatabase>(), harness.Service<IRoutingStore>(), harness.Service<IDecisionStore>(),
            harness.Service<IStatsStore>(), harness.Service<IHealthStore>(), harness.Service<IRolloutStore>(),
            harness.Service<IClusterStore>(), harness.Service<IDeliveryStore>(), harness.Service<ISecretStore>(), harness.Service<ICutoverStore>(),
        ];

        // assert: all but the web server itself (registered by ASP.NET Core before Cutover's services), a test's own too
        var unwrapped = hosted.Where(static h => h is not OffSocketHostedService).Select(static h => h.GetType().Name).ToList();
        Assert.Equal(["GenericWebHostService"], unwrapped);
        Assert.Contains(hosted, h => h is OffSocketHostedService { Inner: var inner } && ReferenceEquals(inner, extra));
        Assert.All(roles, static r => Assert.IsAssignableFrom<OffSocketStore>(r));
    }

    [Fact]
    public async Task Store_CalledFromAPlainThread_RunsOnThePoolAndTheCallerResumesThere()
    {
        // arrange: a store whose read completes on a thread of its own, as an Npgsql read completes on a socket thread
        var store = new ThreadRecordingStore();
        var health = (IHealthStore)OffSocketStore.Wrap(typeof(IHealthStore), store);
        var result = new TaskCompletionSource<(bool CallOnPool, bool ResumedOnPool)>(TaskCreationOptions.RunContinuationsAsynchronously);

        // act: called from a thread that is not the pool's, with no context, as a socket engine thread is
        var caller = new Thread(() => _ = CallAsync()) { IsBackground = true, Name = "caller" };
        caller.Start();
        await store.Called.WaitAsync(Timeout, Cancel);
        CompleteOnOwnThread(store.Io);
        var (callOnPool, resumedOnPool) = await result.Task.WaitAsync(Timeout, Cancel);

        // assert
        Assert.True(callOnPool, "the store was called on the caller's thread");
        Assert.True(resumedOnPool, "the caller resumed where the store's I/O completed");

        async Task CallAsync()
        {
            await health.LatestHealthAsync(CancellationToken.None);
            result.SetResult((store.CalledOnPool, Thread.CurrentThread.IsThreadPoolThread));
        }
    }

    [Fact]
    public async Task Store_CalledUnderThreadPoolContext_CalledStraightThrough()
    {
        // arrange
        var store = new ThreadRecordingStore();
        store.Io.SetResult();
        var health = (IHealthStore)OffSocketStore.Wrap(typeof(IHealthStore), store);
        int? callerThread = null;

        // act
        await ThreadPoolContext.RunAsync(async () =>
        {
            callerThread = Environment.CurrentManagedThreadId;
            await health.LatestHealthAsync(CancellationToken.None);
        }).WaitAsync(Timeout, Cancel);

        // assert: no hop (the same thread), and a failure of the store still reaches the caller as itself
        Assert.Equal(callerThread, store.CalledOnThread);
        await Assert.ThrowsAsync<StoreException>(() => health.SaveHealthAsync(null!, CancellationToken.None));
    }

    private static void CompleteOnOwnThread(TaskCompletionSource source)
    {
        var thread = new Thread(() => source.SetResult()) { IsBackground = true, Name = "completer" };
        thread.Start();
    }

    private sealed class AwaitingService(Task io) : BackgroundService
    {
        private readonly TaskCompletionSource<(bool Pool, string? Name)> _resumedOn = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(bool Pool, string? Name)> ResumedOn => _resumedOn.Task;

        /// <summary>Done when the service is about to await <c>io</c>.</summary>
        public Task Waiting => _waiting.Task;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            _waiting.TrySetResult();
            await io;
            _resumedOn.TrySetResult((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        }
    }

    /// <summary>Says on which thread it was called; its read completes when <see cref="Io"/> does.</summary>
    private sealed class ThreadRecordingStore : IHealthStore
    {
        private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Io { get; } = new();

        public Task Called => _called.Task;

        public bool CalledOnPool { get; private set; }

        public int? CalledOnThread { get; private set; }

        public async Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken)
        {
            CalledOnPool = Thread.CurrentThread.IsThreadPoolThread;
            CalledOnThread = Environment.CurrentManagedThreadId;
            _called.TrySetResult();
            await Io.Task.ConfigureAwait(false);
            return null;
        }

        public Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken) =>
            throw new StoreException("refused");

        public Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
