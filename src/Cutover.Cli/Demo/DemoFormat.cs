using System.Globalization;
using Cutover.Core.Health;
using Cutover.Core.Rollout;

namespace Cutover.Cli.Demo;

/// <summary>How the demo writes times, percents and states, the same in the live view, the plain lines and the summary.</summary>
internal static class DemoFormat
{
    /// <summary>Simulated time since the start as a day of the rollout and a time of day: "day 2 04:30".</summary>
    public static string Clock(TimeSpan since) =>
        $"day {since.Days + 1} {since.Hours.ToString("00", CultureInfo.InvariantCulture)}:{since.Minutes.ToString("00", CultureInfo.InvariantCulture)}";

    /// <summary>"4 h 30 min", "2 d 6 h", "45 min".</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalHours < 1 ? $"{Math.Max(0, (int)span.TotalMinutes)} min"
        : span.TotalDays < 2 ? (span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min")
        : $"{span.Days} d {span.Hours} h";

    public static string Percent(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Percent(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    public static string ErrorRate(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";

    public static string Ms(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "-";

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string StateMarkup(HealthState state) => state switch
    {
        HealthState.Ok => "[green]ok[/]",
        HealthState.Warn => "[yellow]warn[/]",
        HealthState.Critical => "[red]critical[/]",
        _ => "[blue]insufficient_data[/]",
    };

    public static string StatusMarkup(RolloutStatus status) => status switch
    {
        RolloutStatus.Soaking => "[green]soaking[/]",
        RolloutStatus.Holding => "[yellow]holding[/]",
        RolloutStatus.Halted => "[red]halted[/]",
        RolloutStatus.Complete => "[bold green]complete[/]",
        _ => status.ToName(),
    };

    /// <summary>"all 7 ok" or "5 ok; split warn, p95 insufficient_data": the gates in one phrase.</summary>
    public static string Gates(HealthReport report)
    {
        var ok = report.Checks.Count(static c => c.State == HealthState.Ok);
        var other = report.Checks.Where(static c => c.State != HealthState.Ok).Select(static c => $"{c.Name} {c.State.ToName()}").ToList();
        return other.Count == 0 ? $"all {ok} ok" : $"{ok} ok; {string.Join(", ", other)}";
    }

    /// <summary>A check's value in its unit, where it has one worth showing.</summary>
    public static string Value(HealthCheck check) => check.State == HealthState.InsufficientData
        ? $"{check.Value?.ToString("0", CultureInfo.InvariantCulture) ?? "0"} seen"
        : check.Name switch
        {
            HealthEvaluator.ErrorRate => ErrorRate(check.Value),
            HealthEvaluator.P95 or HealthEvaluator.LatencyAgainstLegacy => Ms(check.Value),
            HealthEvaluator.Split => Percent(check.Value),
            _ => check.Value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-",
        };
}
