using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Testing;

/// <summary>
/// Real Kestrel upstreams on one loopback port, <c>POST /{name}</c>, recording every request's bytes and
/// headers. Each name answers 200 with <c>X-Handled-By: {name}</c> unless told otherwise.
/// </summary>
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
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RecordingUpstreams(WebApplication app) => _app = app;

    public string Address { get; private set; } = string.Empty;

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests;

    public string UrlOf(string name) => $"{Address}/{name}";

    public IReadOnlyList<ReceivedRequest> For(string name) => [.. _requests.Where(r => r.Upstream == name)];

    /// <summary>Makes <paramref name="name"/> answer with <paramref name="status"/> from now on.</summary>
    public void Respond(string name, int status) => _status[name] = status;

    /// <summary>Makes <paramref name="name"/> name <paramref name="handler"/> in X-Handled-By.</summary>
    public void HandledBy(string name, string handler) => _handlers[name] = handler;

    /// <summary>Makes <paramref name="name"/> never answer (until disposal), to exercise timeouts.</summary>
    public void Hang(string name) => _hanging[name] = true;

    /// <summary>What <c>GET /{name}/health</c> answers (200 until told otherwise).</summary>
    public void ProbeResponds(string name, int status) => _probeStatus[name] = status;

    /// <summary>Health probes answered so far, all upstreams together.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    public string HealthUrlOf(string name) => $"{Address}/{name}/health";

    public void Clear() => _requests.Clear();

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
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var self = new RecordingUpstreams(app);
        app.MapPost("/{name}", async (HttpContext context, string name) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(static h => h.Key, static h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            self._requests.Enqueue(new ReceivedRequest(name, buffer.ToArray(), headers));
            Interlocked.Exchange(ref self._arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (self._hanging.ContainsKey(name))
            {
                await self._release.Task.WaitAsync(context.RequestAborted);
            }

            context.Response.Headers["X-Handled-By"] = self._handlers.TryGetValue(name, out var handler) ? handler : name;
            context.Response.StatusCode = self._status.TryGetValue(name, out var status) ? status : 200;
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

    public ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        return _app.DisposeAsync();
    }
}
