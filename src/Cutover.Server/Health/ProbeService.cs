using System.Collections.Concurrent;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Health;

/// <summary>
/// Polls each upstream's optional <c>HealthUrl</c> every <c>Health:ProbeInterval</c> and keeps the last result. Unified
/// failing <c>Health:ProbeFailures</c> times in a row is critical (a rollout rolls back); a legacy upstream failing
/// is a warning (legacy is where users go back to, so it holds the rollout).
/// </summary>
internal sealed class ProbeService : BackgroundService
{
    private readonly Dictionary<string, Uri> _targets;
    private readonly ConcurrentDictionary<string, ProbeResult> _results = new(StringComparer.Ordinal);
    private readonly HealthOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public ProbeService(IOptions<CutoverOptions> options, TimeProvider time)
    {
        _options = options.Value.Health;
        _time = time;
        _targets = options.Value.Upstreams
            .Where(static u => u.Value.HealthUrl is not null)
            .ToDictionary(static u => u.Key, static u => new Uri(u.Value.HealthUrl!, UriKind.Absolute), StringComparer.Ordinal);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each probe has its own timeout below
        };
    }

    public IReadOnlyCollection<ProbeResult> Results => [.. _results.Values.OrderBy(static r => r.Upstream, StringComparer.Ordinal)];

    /// <summary>One check per probed upstream, for health: insufficient_data until its first answer.</summary>
    public IReadOnlyList<HealthCheck> Checks()
    {
        var checks = new List<HealthCheck>(_targets.Count);
        foreach (var upstream in _targets.Keys.Order(StringComparer.Ordinal))
        {
            var name = $"probe.{upstream}";
            if (!_results.TryGetValue(upstream, out var r))
            {
                checks.Add(new HealthCheck(name, HealthState.InsufficientData, null, _options.ProbeFailures, $"{upstream}'s HealthUrl has not been probed yet"));
                continue;
            }

            var failing = r.FailuresInARow >= _options.ProbeFailures;
            var state = !failing ? HealthState.Ok : upstream == RouterTopology.UnifiedUpstream ? HealthState.Critical : HealthState.Warn;
            var message = r.Ok
                ? $"{upstream} answered its probe {r.StatusCode} in {r.LatencyMs:0} ms"
                : $"{upstream}'s probe failed {r.FailuresInARow} time{(r.FailuresInARow == 1 ? string.Empty : "s")} in a row ({r.Detail})"
                    + (failing ? string.Empty : $"; {_options.ProbeFailures} in a row count");
            checks.Add(new HealthCheck(name, state, r.FailuresInARow, _options.ProbeFailures, message));
        }

        return checks;
    }

    /// <summary>Probes every upstream once, together; the loop and tests call it.</summary>
    public Task ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_targets.Select(t => ProbeAsync(t.Key, t.Value, cancellationToken)));

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_targets.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.ProbeInterval, _time);
        try
        {
            do
            {
                await ProbeAllAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(string upstream, Uri url, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.ProbeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int status;
        string detail;
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            status = (int)response.StatusCode;
            detail = $"answered {status}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (status, detail) = (0, $"no answer within {_options.ProbeTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            (status, detail) = (0, ex.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : ex.HttpRequestError.ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A probe that breaks in any other way is a failed probe; the loop must go on probing.
            (status, detail) = (0, ex.GetType().Name);
        }

        var ok = status is >= 200 and < 300;
        var previous = _results.TryGetValue(upstream, out var p) ? p.FailuresInARow : 0;
        _results[upstream] = new ProbeResult(
            upstream, ok, status, _time.GetElapsedTime(started).TotalMilliseconds, ok ? 0 : previous + 1, detail, _time.GetUtcNow());
    }
}
