using System.Globalization;

namespace Cutover.Core.Stats;

/// <summary>A stats window written as a count and a unit: <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>24h</c>, <c>7d</c>.</summary>
public static class StatsWindow
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(1);

    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(1);

    /// <summary>The rollups' retention default; a longer window would read nothing more.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(90);

    public static bool TryParse(string? text, out TimeSpan window, out string? problem)
    {
        window = default;
        problem = null;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length < 2 || !long.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            problem = $"'{text}' is not a window such as 15m, 1h, 24h or 7d";
            return false;
        }

        TimeSpan? parsed = char.ToLowerInvariant(s[^1]) switch
        {
            's' when count <= Longest.TotalSeconds => TimeSpan.FromSeconds(count),
            'm' when count <= Longest.TotalMinutes => TimeSpan.FromMinutes(count),
            'h' when count <= Longest.TotalHours => TimeSpan.FromHours(count),
            'd' when count <= Longest.TotalDays => TimeSpan.FromDays(count),
            's' or 'm' or 'h' or 'd' => TimeSpan.MaxValue,
            _ => null,
        };
        if (parsed is not { } value)
        {
            problem = $"'{text}' has an unknown unit: use s, m, h or d (15m, 1h, 24h, 7d)";
            return false;
        }

        if (value < Shortest || value > Longest)
        {
            problem = $"'{text}' is outside 1m to 90d";
            return false;
        }

        window = value;
        return true;
    }

    /// <summary>How <paramref name="window"/> is written back: whole days from 2 days up, else hours, minutes, seconds.</summary>
    public static string Format(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 && window.TotalDays >= 2 ? $"{window.Ticks / TimeSpan.TicksPerDay}d"
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? $"{window.Ticks / TimeSpan.TicksPerHour}h"
        : window.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{window.Ticks / TimeSpan.TicksPerMinute}m"
        : $"{(long)window.TotalSeconds}s";
}
