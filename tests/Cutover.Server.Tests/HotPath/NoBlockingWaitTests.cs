using System.Collections.Concurrent;
using System.Net;
using Cutover.Core.Webhooks;
using Cutover.Server.Hosting;
using Cutover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cutover.Server.Tests.HotPath;

/// <summary>
/// The webhook runs on a socket engine thread when completions run inline, so it must never block (docs/threading.md).
/// These run real webhooks (real server, real upstreams over loopback) with every piece of Cutover's webhook code under a
/// synchronization context that is told of every blocking wait on its thread: <c>Task.Wait</c>, <c>.Result</c>,
/// <c>GetAwaiter().GetResult()</c> on an unfinished task, <c>Monitor.Wait</c>, <c>ManualResetEventSlim.Wait</c>, a
/// wait handle, <c>Thread.Join</c>. Entering a contended <c>lock</c> is not counted (see <c>Wait</c>), and
/// <c>Thread.Sleep</c> tells no context: the banned-API analyzer catches it in <c>HotPath/</c>.
/// </summary>
public sealed class NoBlockingWaitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Webhooks_OneWaySplitFallbackAndRefused_NoBlockingWaitOnTheWebhooksThread()
    {
        // arrange: unified fails every other request, so fallback runs too
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        var detector = new BlockingWaitDetector();
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel,
            services: s => s.AddSingleton<IStartupFilter>(new DetectorFilter(detector)));
        await router.SetPercentAsync(50);
        upstreams.FailShare("unified", 0.5);

        // act: each kind of webhook, one after another and then many at once. A wait on a socket thread can deadlock
        // the server (the answer it waits for needs the same thread), so a webhook gets 15 s, and then the waits seen say why.
        var statuses = new List<HttpStatusCode>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                statuses.Add(await SendAsync(router, i));
            }

            statuses.AddRange(await Task.WhenAll(Enumerable.Range(20, 40).Select(i => SendAsync(router, i))));
        }
        catch (OperationCanceledException) when (!detector.Waits.IsEmpty)
        {
            Assert.Fail($"webhooks hung after {detector.Waits.Count} blocking wait(s) on the webhook path; the first at:\n{detector.Waits.First()}");
        }

        using var unsigned = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250700000001", "job")), sign: false);

        // assert: the webhooks ran under the detector, were answered, and none of them waited
        Assert.True(detector.Webhooks >= 61, $"only {detector.Webhooks} webhooks ran under the detector");
        Assert.All(statuses, static s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.True(detector.Waits.IsEmpty, $"{detector.Waits.Count} blocking wait(s) on the webhook path; the first at:\n{detector.Waits.FirstOrDefault()}");
    }

    [Fact]
    public async Task Detector_ABlockingWaitInTheWebhooksContinuation_IsSeen()
    {
        // arrange: what the test above would see if the webhook path blocked after an await (the detector's own check)
        var detector = new BlockingWaitDetector();

        // act: the task waited for completes only once the detector has seen the wait (or, if it never does, after 10 s)
        var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                await Eventually.WaitAsync(() => !detector.Waits.IsEmpty, TimeSpan.FromSeconds(10), "the detector to see the wait");
            }
            finally
            {
                pending.SetResult(1);
            }
        }, Cancel);
        var work = detector.RunAsync(async () =>
        {
            await Task.Yield();
            _ = pending.Task.Result;
        });
        await work.WaitAsync(TimeSpan.FromSeconds(20), Cancel);

        // assert
        Assert.Single(detector.Waits);
    }

    private static async Task<HttpStatusCode> SendAsync(RouterHarness router, int i)
    {
        var user = $"2507{i:D8}";
        var body = (i % 3) switch
        {
            0 => WebhookBuilder.Of(Msg.Text(user, "I need a job")),
            1 => WebhookBuilder.Of(Msg.Text(user, "a taxi please"), Msg.Text($"2508{i:D8}", "hiring drivers?"), Msg.Status(user, "read")),
            _ => WebhookBuilder.Of(Msg.Button(user, "jobs_menu"), Msg.Image($"2509{i:D8}")),
        };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        content.Headers.Add(WebhookSignature.HeaderName, RouterHarness.Signer.Sign(body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var response = await router.Http.PostAsync("webhook", content, timeout.Token);
        return response.StatusCode;
    }

    /// <summary>Puts the detector around the webhook: first in the pipeline, for <c>/webhook</c> only.</summary>
    private sealed class DetectorFilter(BlockingWaitDetector detector) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) => context.Request.Path.StartsWithSegments(OffSocketThreads.WebhookPath)
                ? detector.Run(() => following(context))
                : following(context));
            next(app);
        };
    }

    /// <summary>
    /// A synchronization context that records every blocking wait made on a thread while it is current
    /// (<see cref="SynchronizationContext.SetWaitNotificationRequired"/>: the runtime then routes the thread's waits
    /// through <see cref="Wait"/>). Continuations of awaits under it run under it, on the thread pool.
    /// </summary>
    private sealed class BlockingWaitDetector : SynchronizationContext
    {
        private int _webhooks;

        public BlockingWaitDetector() => SetWaitNotificationRequired();

        public ConcurrentQueue<string> Waits { get; } = new();

        public int Webhooks => Volatile.Read(ref _webhooks);

        /// <summary>Starts <paramref name="work"/> on the calling thread under this context.</summary>
        public Task Run(Func<Task> work)
        {
            Interlocked.Increment(ref _webhooks);
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                return work();
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }

        /// <summary>Starts <paramref name="work"/> on the thread pool under this context.</summary>
        public Task RunAsync(Func<Task> work) => Task.Run(() => Run(work));

        public override int Wait(IntPtr[] waitHandles, bool waitAll, int millisecondsTimeout)
        {
            // A contended lock is told too. Cutover's locks on this path guard computation only (C# allows no await
            // inside a lock), such as a ConcurrentDictionary growing its table while another webhook adds to it: a wait
            // of microseconds that ends without I/O, not the kind that stalls or deadlocks a socket thread.
            var stack = Environment.StackTrace;
            if (!IsLockEntry(stack))
            {
                Waits.Enqueue(stack);
            }

            return WaitHelper(waitHandles, waitAll, millisecondsTimeout);
        }

        /// <summary>Whether the frame that waits (the one after this method's) is entering a lock.</summary>
        private static bool IsLockEntry(string stack)
        {
            var lines = stack.Split('\n');
            var waiter = Array.FindIndex(lines, static l => l.Contains(nameof(BlockingWaitDetector) + "." + nameof(Wait), StringComparison.Ordinal));
            return waiter >= 0 && waiter + 1 < lines.Length
                && (lines[waiter + 1].Contains("System.Threading.Monitor.Enter", StringComparison.Ordinal)
                    || lines[waiter + 1].Contains("System.Threading.Monitor.ReliableEnter", StringComparison.Ordinal)
                    || lines[waiter + 1].Contains("System.Threading.Lock.Enter", StringComparison.Ordinal));
        }

        public override void Post(SendOrPostCallback d, object? state) =>
            ThreadPool.UnsafeQueueUserWorkItem(static s =>
            {
                var previous = Current;
                SetSynchronizationContext(s.Detector);
                try
                {
                    s.d(s.state);
                }
                finally
                {
                    SetSynchronizationContext(previous);
                }
            }, (Detector: this, d, state), preferLocal: false);

        public override SynchronizationContext CreateCopy() => this;
    }
}
