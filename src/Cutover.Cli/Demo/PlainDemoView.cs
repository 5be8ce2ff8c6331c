using Cutover.Core.Rollout;
using Cutover.Server.Rollout;

namespace Cutover.Cli.Demo;

/// <summary>
/// Progress as plain lines, for logs and pipes: one per event, a line with the split and the gates of each step as it
/// ends, and a progress line every 12 simulated hours so a long soak does not look like a hang.
/// </summary>
internal sealed class PlainDemoView(DemoOutput output) : IDemoView
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromHours(12);
    private int _printed;
    private TimeSpan _nextHeartbeat = Heartbeat;

    public Task RunAsync(Func<Task> walk) => walk();

    public Task DwellAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Show(DemoLook look)
    {
        var fresh = look.Events.Skip(_printed).ToList();
        _printed = look.Events.Count;
        foreach (var e in fresh)
        {
            output.Text($"{DemoFormat.Clock(e.At),-12} {DemoFormat.Percent(e.Percent),5}  {e.Kind,-16} {e.Actor}: {e.Text}");
            if (e.Kind is RolloutEventKinds.Step or RolloutEventKinds.Rollback or RolloutEventKinds.Complete && look.Number > 0)
            {
                output.Text($"{string.Empty,20}{Detail(look)}");
            }
        }

        if (fresh.Count == 0 && look.Simulated >= _nextHeartbeat && look.Rollout.Status.IsActive())
        {
            var left = look.SoakLeft is { } soak ? $", {DemoFormat.Duration(soak)} left" : string.Empty;
            output.Text($"{DemoFormat.Clock(look.Simulated),-12} {DemoFormat.Percent(look.Rollout.Percent),5}  {"progress",-16} "
                + $"{look.Rollout.Status.ToName()} at step {look.Rollout.Step + 1} of {look.Steps}{left}; {Detail(look)}");
        }

        while (_nextHeartbeat <= look.Simulated)
        {
            _nextHeartbeat += Heartbeat;
        }
    }

    /// <summary>"at 10% since day 1 00:00: unified share jobs 10.4%, …; protected 0 of 812 unified; p95 …; gates …".</summary>
    private static string Detail(DemoLook look)
    {
        var routable = look.Split.Where(static s => s.Role == DomainRole.Routable).Select(static s => $"{s.Domain} {DemoFormat.Percent(s.UnifiedPct)}");
        var protectedSplit = look.Split.Where(static s => s.Role == DomainRole.Protected).ToList();
        return $"at {DemoFormat.Percent(look.SplitPercent)} since {DemoFormat.Clock(look.SplitSince)}: unified share {string.Join(", ", routable)}; "
            + $"protected {DemoFormat.Count(protectedSplit.Sum(static s => s.Unified))} of {DemoFormat.Count(protectedSplit.Sum(static s => s.Total))} to unified; "
            + $"p95 unified {DemoFormat.Ms(look.Unified?.P95Ms)}, legacy {DemoFormat.Ms(look.Legacy?.P95Ms)}; "
            + $"unified errors {DemoFormat.ErrorRate(look.Unified?.ErrorRatePct)}; gates {DemoFormat.Gates(look.Health)}";
    }
}
