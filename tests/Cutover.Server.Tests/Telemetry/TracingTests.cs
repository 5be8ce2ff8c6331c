using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cutover.Server.Telemetry;
using Cutover.Testing;
using OpenTelemetry.Trace;

namespace Cutover.Server.Tests.Telemetry;

/// <summary>
/// The <c>Cutover</c> activities and the <c>traceparent</c> a real upstream receives, seen through an
/// <see cref="ActivityListener"/> (or, for OTLP, a real receiver on loopback).
/// </summary>
[Collection(ProcessWideTelemetry.Name)]
public sealed class TracingTests
{
    private const string TraceParentPattern = "^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forward_WhileListened_UpstreamGetsTheForwardsTraceparentInTheWebhooksTrace()
    {
        // arrange
        using var recorder = new Recorder();
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel);
        await router.SetPercentAsync(100);

        // act
        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788300001", "I need a job")));

        // assert: the upstream's traceparent is the forward's, a child of the webhook's activity; both carry the correlation id
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var correlationId = response.Headers.GetValues("X-Correlation-ID").Single();
        var received = Assert.Single(upstreams.For("unified"));
        var traceparent = received.Header("traceparent");
        Assert.Matches(TraceParentPattern, traceparent);
        var webhook = await recorder.WaitForAsync(CutoverActivities.Webhook, correlationId);
        var forward = await recorder.WaitForAsync(CutoverActivities.Forward, correlationId);
        Assert.Equal(webhook.TraceId, forward.TraceId);
        Assert.Equal(webhook.SpanId, forward.ParentSpanId);
        Assert.Equal($"00-{forward.TraceId}-{forward.SpanId}-01", traceparent);
        Assert.Equal(correlationId, received.Header("X-Correlation-ID"));
        Assert.Equal(ActivityKind.Server, webhook.Kind);
        Assert.Equal(ActivityKind.Client, forward.Kind);
        Assert.Equal("unified", forward.GetTagItem(CutoverActivities.UpstreamTag));
        Assert.Equal("delivered", forward.GetTagItem(CutoverActivities.OutcomeTag));
        Assert.Equal(200, forward.GetTagItem(CutoverActivities.StatusCodeTag));
    }

    [Fact]
    public async Task Fallback_WhileListened_EachAttemptIsAChildWithItsOwnTraceparent()
    {
        using var recorder = new Recorder();
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel);
        upstreams.Respond("unified", 503);
        await router.SetPercentAsync(100);

        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788300002", "I need a job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var correlationId = response.Headers.GetValues("X-Correlation-ID").Single();
        var webhook = await recorder.WaitForAsync(CutoverActivities.Webhook, correlationId);
        var forwards = recorder.All(CutoverActivities.Forward, correlationId);
        Assert.Equal(["jobs", "unified"], forwards.Select(static f => (string)f.GetTagItem(CutoverActivities.UpstreamTag)!).Order());
        Assert.All(forwards, f => Assert.Equal(webhook.SpanId, f.ParentSpanId));
        var failed = forwards.Single(static f => (string?)f.GetTagItem(CutoverActivities.UpstreamTag) == "unified");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal($"00-{failed.TraceId}-{failed.SpanId}-01", Assert.Single(upstreams.For("unified")).Header("traceparent"));
        var legacy = forwards.Single(static f => (string?)f.GetTagItem(CutoverActivities.UpstreamTag) == "jobs");
        Assert.Equal($"00-{legacy.TraceId}-{legacy.SpanId}-01", Assert.Single(upstreams.For("jobs")).Header("traceparent"));
    }

    [Fact]
    public async Task QueuedDelivery_WhileListened_TheAttemptsForwardCarriesTheCorrelationIdAndTraceparent()
    {
        using var recorder = new Recorder();
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, static s =>
        {
            s["Cutover:Delivery:Mode"] = "queued";
            s["Cutover:Delivery:PollInterval"] = "00:00:00.020";
        }, cancellationToken: Cancel);
        await router.SetPercentAsync(100);

        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788300003", "I need a job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var correlationId = response.Headers.GetValues("X-Correlation-ID").Single();
        await upstreams.WaitForCountAsync(1, Wait);
        var deliver = await recorder.WaitForAsync(CutoverActivities.Deliver, correlationId);
        var forward = await recorder.WaitForAsync(CutoverActivities.Forward, correlationId);
        Assert.Equal(deliver.SpanId, forward.ParentSpanId);
        var received = Assert.Single(upstreams.For("unified"));
        Assert.Equal($"00-{forward.TraceId}-{forward.SpanId}-01", received.Header("traceparent"));
        Assert.Equal(correlationId, received.Header("X-Correlation-ID"));
        await recorder.WaitForAsync(CutoverActivities.Webhook, correlationId); // the POST that stored it has a trace of its own
    }

    [Fact]
    public async Task Forward_WithoutListener_NoActivityAndNoTraceparent()
    {
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        await using var router = await RouterHarness.StartAsync(upstreams, cancellationToken: Cancel);

        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788300004", "I need a job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(CutoverActivities.Source.HasListeners());
        Assert.Null(Assert.Single(upstreams.Requests).Header("traceparent"));
        Assert.Null(router.App.Services.GetService(typeof(TracerProvider)));
    }

    [Fact]
    public async Task Otlp_HttpProtobufEndpoint_ExportsTheWebhooksSpansToIt()
    {
        // arrange: the collector is a real Kestrel on loopback (the recording upstreams, where /v1/traces is a stray it records)
        await using var upstreams = await RecordingUpstreams.StartAsync(Cancel);
        var router = await RouterHarness.StartAsync(upstreams, s =>
        {
            s["Cutover:Telemetry:Otlp:Endpoint"] = upstreams.Address;
            s["Cutover:Telemetry:Otlp:Protocol"] = "http/protobuf";
        }, cancellationToken: Cancel);
        try
        {
            Assert.NotNull(router.App.Services.GetService(typeof(TracerProvider)));
            await router.SetPercentAsync(100);

            using var response = await router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788300005", "I need a job")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches(TraceParentPattern, Assert.Single(upstreams.For("unified")).Header("traceparent"));
        }
        finally
        {
            await router.DisposeAsync(); // stopping flushes the batch of spans
        }

        // assert: a protobuf POST to the collector's traces path, carrying the span names and the service name
        await Eventually.WaitAsync(() => upstreams.Strays.Any(static r => r.Path == "/v1/traces"), Wait, "an OTLP export");
        var export = upstreams.Strays.First(static r => r.Path == "/v1/traces");
        Assert.Equal("POST", export.Method);
        Assert.Equal("application/x-protobuf", export.Header("Content-Type"));
        var bytes = System.Text.Encoding.ASCII.GetString(export.Body);
        Assert.Contains(CutoverActivities.Webhook, bytes, StringComparison.Ordinal);
        Assert.Contains(CutoverActivities.Forward, bytes, StringComparison.Ordinal);
        Assert.Contains("cutover", bytes, StringComparison.Ordinal);
    }

    /// <summary>Every stopped activity of the <c>Cutover</c> source, for as long as it is not disposed.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public Recorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = static s => s.Name == CutoverActivities.SourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All(string name, string correlationId) =>
            [.. _stopped.Where(a => a.OperationName == name && (string?)a.GetTagItem(CutoverActivities.CorrelationIdTag) == correlationId)];

        public async Task<Activity> WaitForAsync(string name, string correlationId)
        {
            await Eventually.WaitAsync(() => All(name, correlationId).Count > 0, Wait, $"a stopped {name} activity for {correlationId}");
            return Assert.Single(All(name, correlationId));
        }

        public void Dispose() => _listener.Dispose();
    }
}
