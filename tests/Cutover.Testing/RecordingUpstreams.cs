using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Testing;

/// <summary>
/// Real Kestrel upstreams on one loopback port, <c>POST /{name}</c>, recording every request's bytes and
/// headers. Each name answers 200 with <c>X-Handled-By: {name}</c> unless told otherwise.
/// </summary>
/// <remarks>
/// Anything else that reaches the port (another method or path, such as a request smuggled behind a forward) is
/// answered 404 and recorded in <see cref="Strays"/>, and a request Kestrel itself refuses as malformed (it never
/// reaches the app) is recorded in <see cref="BadRequests"/> from Kestrel's own log: nothing that arrives goes unseen.
/// </remarks>
public sealed class RecordingUpstreams : IAsyncDisposable
{
    public static readonly string[] Names = ["unified", "jobs", "marketplace", "property", "mobility", "profile", "insurance", "default"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _probeStatus = new(StringComparer.Ordinal);
    private long _probes;
    private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _latency = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<ReceivedRequest> _strays = new();
    private readonly ConcurrentDictionary<string, FailingShare> _failing = new(StringComparer.Ordinal);
    private readonly KestrelBadRequestLog _badRequests;
    private long _sequence;

    private RecordingUpstreams(WebApplication app, KestrelBadRequestLog badRequests)
    {
        _app = app;
        _badRequests = badRequests;
    }

    public string Address { get; private set; } = string.Empty;

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests;

    /// <summary>Requests that were neither <c>POST /{name}</c> nor a health probe (answered 404).</summary>
    public IReadOnlyCollection<ReceivedRequest> Strays => _strays;

    /// <summary>Requests Kestrel refused before the app saw them: (connection id, Kestrel's reason).</summary>
    public IReadOnlyCollection<KeyValuePair<string, string>> BadRequests => _badRequests.Entries;

    /// <summary>Called with every request recorded (upstream or stray), before it is answered.</summary>
    public Action<ReceivedRequest>? Observe { get; set; }

    /// <summary>Off for long runs: requests then go only to <see cref="Observe"/>, not into <see cref="Requests"/>.</summary>
    public bool KeepRequests { get; set; } = true;

    /// <summary>Requests received so far, all upstreams and strays together.</summary>
    public long Received => Interlocked.Read(ref _sequence);

    public string UrlOf(string name) => $"{Address}/{name}";

    public IReadOnlyList<ReceivedRequest> For(string name) => [.. _requests.Where(r => r.Upstream == name)];

    /// <summary>Makes <paramref name="name"/> answer with <paramref name="status"/> from now on.</summary>
    public void Respond(string name, int status) => _status[name] = status;

    /// <summary>
    /// Makes <paramref name="name"/> answer <paramref name="status"/> to a <paramref name="share"/> (0..1) of its
    /// requests, spread evenly by arrival order (a flaky upstream, to exercise fallback).
    /// </summary>
    public void FailShare(string name, double share, int status = 500) => _failing[name] = new FailingShare(share, status);

    /// <summary>Makes <paramref name="name"/> name <paramref name="handler"/> in X-Handled-By.</summary>
    public void HandledBy(string name, string handler) => _handlers[name] = handler;

    /// <summary>Makes <paramref name="name"/> take <paramref name="latency"/> to answer each request, as a handler doing real work would.</summary>
    public void Latency(string name, TimeSpan latency) => _latency[name] = latency;

    /// <summary>Makes <paramref name="name"/> never answer (until disposal), to exercise timeouts.</summary>
    public void Hang(string name) => _hanging[name] = true;

    /// <summary>What <c>GET /{name}/health</c> answers (200 until told otherwise).</summary>
    public void ProbeResponds(string name, int status) => _probeStatus[name] = status;

    /// <summary>Health probes answered so far, all upstreams together.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    public string HealthUrlOf(string name) => $"{Address}/{name}/health";

    public void Clear()
    {
        _requests.Clear();
        _strays.Clear();
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived in all, or fails after the timeout.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (_requests.Count < count)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (_requests.Count >= count)
            {
                break;
            }

            try
            {
                await arrived.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"expected {count} upstream requests within {timeout}, got {_requests.Count}");
            }
        }
    }

    public static async Task<RecordingUpstreams> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var badRequests = new KestrelBadRequestLog();
        builder.Logging.AddProvider(badRequests);
        builder.Logging.AddFilter(KestrelBadRequestLog.Category, LogLevel.Debug);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var self = new RecordingUpstreams(app, badRequests);
        app.Use(async (context, next) =>
        {
            if (IsUpstreamPost(context.Request) || IsProbe(context.Request))
            {
                await next(context);
                return;
            }

            var stray = await self.ReadAsync(context, "", 404);
            self._strays.Enqueue(stray);
            self.Observe?.Invoke(stray);
            context.Response.StatusCode = 404;
        });
        app.MapPost("/{name}", async (HttpContext context, string name) =>
        {
            var received = await self.ReadAsync(context, name, self.StatusFor(name));
            if (self.KeepRequests)
            {
                self._requests.Enqueue(received);
            }

            self.Observe?.Invoke(received);
            Interlocked.Exchange(ref self._arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (self._hanging.ContainsKey(name))
            {
                await self._release.Task.WaitAsync(context.RequestAborted);
            }
            else if (self._latency.TryGetValue(name, out var latency))
            {
                await Task.Delay(latency, context.RequestAborted);
            }

            context.Response.Headers["X-Handled-By"] = self._handlers.TryGetValue(name, out var handler) ? handler : name;
            context.Response.StatusCode = received.Status;
        });
        app.MapGet("/{name}/health", (string name) =>
        {
            Interlocked.Increment(ref self._probes);
            return Results.StatusCode(self._probeStatus.TryGetValue(name, out var status) ? status : 200);
        });
        await app.StartAsync(cancellationToken);
        self.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return self;
    }

    private static bool IsUpstreamPost(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Value is { Length: > 1 } path && path.IndexOf('/', 1) < 0;

    private static bool IsProbe(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is { } path && path.EndsWith("/health", StringComparison.Ordinal)
        && path.IndexOf('/', 1) == path.Length - "/health".Length;

    private int StatusFor(string name)
    {
        if (_failing.TryGetValue(name, out var failing) && failing.FailsNext())
        {
            return failing.Status;
        }

        return _status.TryGetValue(name, out var status) ? status : 200;
    }

    private async Task<ReceivedRequest> ReadAsync(HttpContext context, string name, int status)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(static h => h.Key, static h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var lines = new List<KeyValuePair<string, string>>();
        foreach (var header in context.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                lines.Add(new(header.Key, value ?? string.Empty));
            }
        }

        return new ReceivedRequest(name, buffer.ToArray(), headers)
        {
            Method = context.Request.Method,
            // The target exactly as it came (not decoded, query included): /unified, or whatever a smuggled line said.
            Path = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty,
            Protocol = context.Request.Protocol,
            HeaderLines = lines,
            ConnectionId = context.Connection.Id,
            Sequence = Interlocked.Increment(ref _sequence),
            Status = status,
        };
    }

    private sealed class FailingShare(double share, int status)
    {
        private long _count;

        public int Status => status;

        /// <summary>Evenly spread: the n-th request fails each time n × share crosses a whole number.</summary>
        public bool FailsNext()
        {
            var n = Interlocked.Increment(ref _count);
            return (long)(n * share) != (long)((n - 1) * share);
        }
    }

    public ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        return _app.DisposeAsync();
    }
}
