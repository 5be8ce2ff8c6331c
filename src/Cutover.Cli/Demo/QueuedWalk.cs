using System.Diagnostics;
using Cutover.Core.Delivery;
using Cutover.Core.Routing;
using Cutover.Server.Delivery;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cutover.Cli.Demo;

/// <summary>
/// One walk through queued delivery's story against a started router in <c>Delivery:Mode = queued</c>, in real time:
/// the phases of <see cref="QueuedScenario.Phases"/> (normal, unified down, every handler down, handlers back), each a
/// burst of traffic per tick with the handlers it names down; then a drain with no traffic until the backlog is empty;
/// then every dead letter replayed and drained again. At each tick it reads the queue from the store, so the backlog
/// shown is the store's, not a guess. The handlers count what they took by <c>X-Idempotency-Key</c>, and the summary
/// checks those counts against the keys of every update the router acknowledged.
/// </summary>
internal sealed class QueuedWalk(IServiceProvider services, DemoUpstreams upstreams, TrafficSender sender, Stopwatch real)
{
    private const string Actor = "demo";

    private readonly RoutingService _routing = services.GetRequiredService<RoutingService>();
    private readonly IDeliveryStore _store = services.GetRequiredService<IDeliveryStore>();
    private readonly UpstreamGates _gates = services.GetRequiredService<UpstreamGates>();
    private readonly TimeProvider _time = services.GetRequiredService<TimeProvider>();
    private readonly List<QueuedPhaseMeter> _phases = [];
    private readonly List<string> _acked = [];
    private DemoReplayResult? _replay;
    private long _takenBeforeReplay;
    private int _missingBeforeReplay;
    private bool _drained;
    private TimeSpan _drainedAt;
    private bool _replayDrained;

    public async Task RunAsync(IQueuedView view, CancellationToken cancellationToken)
    {
        var applied = await _routing.ApplyAsync(
            [new RoutingChange.SetPercent(QueuedScenario.UnifiedPercent, null)], Actor, "half the routable users on unified, to show the fallback", cancellationToken);
        if (!applied.Succeeded)
        {
            throw new CliException(ExitCodes.Software, $"the demo could not set the percent: {applied.Message}");
        }

        // The process's first requests pay for JIT compilation and new connections, at the sender, the router and the
        // handlers alike: one burst, delivered and checked like the rest, but kept out of the phases' ack times.
        _acked.AddRange((await sender.SendBurstAsync(QueuedScenario.PostsPerTick, cancellationToken)).AckedKeys);

        using var timer = new PeriodicTimer(QueuedScenario.Tick);
        foreach (var phase in QueuedScenario.Phases)
        {
            upstreams.SetDown(phase.Down);
            var meter = await BeginAsync(phase.Name, phase.Story, cancellationToken);
            var until = real.Elapsed + phase.Length;
            while (real.Elapsed < until)
            {
                var burst = await sender.SendBurstAsync(QueuedScenario.PostsPerTick, cancellationToken);
                meter.Sent(burst);
                _acked.AddRange(burst.AckedKeys);
                view.Show(await ObserveAsync(meter, phase.Down, cancellationToken));
                await timer.WaitForNextTickAsync(cancellationToken);
            }

            meter.End();
        }

        // No more traffic: what the outage left behind (retries, circuits still open) goes out.
        var drain = await BeginAsync("drain", "no new traffic: the backlog drains", cancellationToken);
        _drained = await DrainAsync(drain, view, timer, cancellationToken);
        _drainedAt = real.Elapsed;

        // Every dead letter back into the queue, routed as usual; what the handlers take from here on is the replay's.
        _takenBeforeReplay = TakenCount();
        _missingBeforeReplay = _acked.Count(k => !upstreams.Taken.ContainsKey(k));
        var replay = await BeginAsync("replay", "every dead letter queued again (cutover dlq replay)", cancellationToken);
        _replay = await DemoReplay.ReplayAllAsync(_store, sender.Router, QueuedScenario.ReplayReason, cancellationToken);
        _replayDrained = await DrainAsync(replay, view, timer, cancellationToken);
    }

    /// <summary>Prints the phases and the checks: nothing acknowledged lost, the dead letters replayed and each received once; true when all held.</summary>
    public bool Summarize(DemoOutput output)
    {
        var rows = Rows();
        var outage = _phases.Single(static p => p.Name == QueuedScenario.EveryoneDown.Name);
        var normal = _phases[0];
        var lost = _acked.Count(k => !upstreams.Taken.ContainsKey(k));
        var duplicates = upstreams.Taken.Values.Sum(static n => (long)n - 1);
        var dead = _replay?.Letters.Count ?? 0;
        var replayed = _replay?.Replayed ?? 0;
        var receivedByReplay = TakenCount() - _takenBeforeReplay;
        var all = _phases.SelectMany(static p => p.AckMs).Order().ToArray();

        output.Line();
        output.Write(QueuedSummary.Phases(rows));
        output.Text($"Acknowledged: {DemoFormat.Count(sender.Posts)} POSTs carrying {DemoFormat.Count(sender.Updates)} updates; {DemoFormat.Count(sender.NotOk)} answered other than 200. "
            + $"Ack p50 {DemoFormat.Ms(QueuedPhaseMeter.Percentile(all, 0.5))}, p99 {DemoFormat.Ms(QueuedPhaseMeter.Percentile(all, 0.99))} over the run "
            + $"(measured at the sender); with every handler down p50 {DemoFormat.Ms(outage.Row().AckP50Ms)}, p99 {DemoFormat.Ms(outage.Row().AckP99Ms)} "
            + $"against {DemoFormat.Ms(normal.Row().AckP50Ms)} and {DemoFormat.Ms(normal.Row().AckP99Ms)} with every handler up.");
        var peak = _phases.Max(static p => p.BacklogPeak);
        var back = _phases.Single(static p => p.Name == QueuedScenario.Back.Name);
        output.Text($"Backlog: {DemoFormat.Count(outage.Row().BacklogEnd)} updates at the end of the outage, at most {DemoFormat.Count(peak)} (the circuits hold deliveries back until "
            + "their next probe finds a handler back); "
            + (_drained ? $"empty {DemoFormat.Seconds(_drainedAt - back.StartedAt)} after the handlers came back." : $"not drained within {DemoFormat.Seconds(QueuedScenario.DrainTimeout)} after the traffic stopped."));
        var reasons = _replay is null ? "none" : string.Join(", ", _replay.Letters.GroupBy(static l => l.Reason).Select(static g => $"{g.Key} {DemoFormat.Count(g.Count())}"));
        output.Text($"Dead letters: {DemoFormat.Count(dead)} ({reasons}), {DemoFormat.Count(_missingBeforeReplay)} acknowledged updates not received before the replay.");
        output.Text($"Replay (POST /admin/dlq/replay as cutover dlq replay sends it, routed as usual, in the audit trail; reason: \"{_replay?.Reason}\"): {DemoFormat.Count(replayed)} queued again, "
            + $"{DemoFormat.Count(receivedByReplay)} received by the handlers, {(_replayDrained ? "backlog back to 0" : "[backlog not drained]")}.");
        output.Line(lost == 0
            ? $"Nothing lost: [green]all {DemoFormat.Count(_acked.Count)} updates acknowledged were received by a handler[/] (counted at the handlers by X-Idempotency-Key); "
                + $"{DemoFormat.Count(duplicates)} received more than once."
            : $"[red]{DemoFormat.Count(lost)} of {DemoFormat.Count(_acked.Count)} updates acknowledged never reached a handler[/]; {DemoFormat.Count(duplicates)} received more than once.");

        var ok = lost == 0 && sender.NotOk == 0 && _drained && _replayDrained && peak > 0 && dead > 0
            && replayed == dead && receivedByReplay == replayed && _missingBeforeReplay == dead;
        if (!ok)
        {
            output.Line("[red]The queued demo did not tell its story[/]: see the figures above.");
        }

        return ok;
    }

    private async Task<QueuedPhaseMeter> BeginAsync(string name, string story, CancellationToken cancellationToken)
    {
        _phases.LastOrDefault()?.End();
        var meter = new QueuedPhaseMeter(name, story, real.Elapsed, await _store.QueueStatsAsync(cancellationToken));
        _phases.Add(meter);
        return meter;
    }

    /// <summary>Ticks without traffic until nothing is pending or in flight; false if that took longer than <see cref="QueuedScenario.DrainTimeout"/>.</summary>
    private async Task<bool> DrainAsync(QueuedPhaseMeter meter, IQueuedView view, PeriodicTimer timer, CancellationToken cancellationToken)
    {
        var started = real.Elapsed;
        while (true)
        {
            var look = await ObserveAsync(meter, [], cancellationToken);
            var drained = look.Backlog == 0;
            if (drained || real.Elapsed - started > QueuedScenario.DrainTimeout)
            {
                // Shown ended, since no tick of this phase follows to show it.
                meter.End();
                view.Show(look with { Phases = Rows() });
                return drained;
            }

            view.Show(look);
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async Task<QueuedLook> ObserveAsync(QueuedPhaseMeter meter, IReadOnlyList<string> down, CancellationToken cancellationToken)
    {
        var stats = await _store.QueueStatsAsync(cancellationToken);
        meter.Observe(stats, real.Elapsed);
        var circuits = _gates.Snapshot(_time.GetUtcNow()).ToList();
        var row = meter.Row();
        return new QueuedLook(
            real.Elapsed, meter.Name, row.Story, QueuedPhaseMeter.Backlog(stats), stats.Delivered, stats.Dead,
            circuits.Count(static c => c.State != CircuitState.Closed), circuits.Count, down, Rows());
    }

    private List<QueuedPhaseRow> Rows() => [.. _phases.Select(static p => p.Row())];

    private long TakenCount() => upstreams.Taken.Values.Sum(static n => (long)n);
}
