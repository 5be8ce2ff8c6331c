using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Cluster;

/// <summary>
/// Whether the store answers, as seen by the background work that needs it (the decision log writer, the routing
/// refresher, the change subscription, the conversation sync, the readiness ping). Each component reports its own
/// successes and failures; a component is failing from its first failure until its next success, so recovery needs
/// no one to act. <c>/readyz</c> turns the failing components into the reasons of a degraded answer.
/// </summary>
internal sealed class StoreAvailability
{
    public const string DecisionLog = "decision_log";
    public const string RoutingRefresh = "routing_refresh";
    public const string Subscription = "subscription";
    public const string MemorySync = "memory_sync";
    public const string Ping = "ping";
    public const string Delivery = "delivery";

    /// <summary>Every component, in the order reasons are listed: a closed set, so it can tag metrics.</summary>
    public static readonly string[] Components = [DecisionLog, RoutingRefresh, Subscription, MemorySync, Delivery, Ping];

    private readonly ConcurrentDictionary<string, StoreFailure> _failing = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<StoreAvailability> _logger;
    private readonly Counter<long> _failures;

    public StoreAvailability(CutoverMetrics metrics, TimeProvider time, ILogger<StoreAvailability> logger)
    {
        _time = time;
        _logger = logger;
        _failures = metrics.Meter.CreateCounter<long>("cutover.store.failures", "{call}", "Store calls that failed, by component.");
        metrics.Meter.CreateObservableGauge("cutover.store.available", Observe, "{component}",
            "1 while the component's last store call succeeded, 0 while it is failing.");
    }

    public bool IsDegraded => !_failing.IsEmpty;

    /// <summary>The failing components, in <see cref="Components"/> order.</summary>
    public IReadOnlyList<StoreFailure> Failures =>
        [.. Components.Where(_failing.ContainsKey).Select(c => _failing[c])];

    public void Succeeded(string component)
    {
        if (_failing.TryRemove(component, out var failure))
        {
            LogMessages.StoreRecovered(_logger, component, failure.Since, failure.Count);
        }
    }

    /// <returns>true when the component was not failing before: the first failure of an outage, worth a log line.</returns>
    public bool Failed(string component, Exception exception)
    {
        var error = Describe(exception);
        var now = _time.GetUtcNow();
        var failure = _failing.AddOrUpdate(component,
            static (c, a) => new StoreFailure(c, a.Now, a.Now, 1, a.Error),
            static (_, held, a) => held with { LastAt = a.Now, Count = held.Count + 1, Error = a.Error },
            (Now: now, Error: error));
        if (failure.Count == 1)
        {
            LogMessages.StoreUnavailable(_logger, component, error, exception);
        }

        if (_failures.Enabled)
        {
            _failures.Add(1, new KeyValuePair<string, object?>(TagNames.Component, component));
        }

        return failure.Count == 1;
    }

    /// <summary>
    /// What went wrong, in words that are safe to show anyone who can reach <c>/readyz</c>: the kind of failure, never a
    /// driver's message (which may carry a host, a user name or a connection string).
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        StoreException { InnerException: { } inner } => Describe(inner),
        StoreException => "the store refused the call",
        TimeoutException or OperationCanceledException => "the store did not answer in time",
        SocketException s => $"network error ({s.SocketErrorCode})",
        DbException db when StoreFaults.Describe(db) is { } described => described,
        DbException { SqlState: { } state } db => $"{db.GetType().Name} (SQL state {state})",
        DbException db => db.GetType().Name,
        { InnerException: { } inner } when inner is SocketException or TimeoutException or DbException => Describe(inner),
        _ => exception.GetType().Name,
    };

    private IEnumerable<Measurement<int>> Observe()
    {
        foreach (var component in Components)
        {
            yield return new Measurement<int>(_failing.ContainsKey(component) ? 0 : 1,
                new KeyValuePair<string, object?>(TagNames.Component, component));
        }
    }
}
