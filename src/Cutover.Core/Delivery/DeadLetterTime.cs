using System.Globalization;
using Cutover.Core.Stats;
using Cutover.Core.Text;

namespace Cutover.Core.Delivery;

/// <summary>
/// A point in time as an operator names one for the dead letters (<c>dlq list --since</c>, <c>dlq purge --before</c>):
/// an ISO 8601 time (UTC unless it says otherwise), or a window back from now such as <c>15m</c>, <c>1h</c>, <c>7d</c>.
/// The CLI checks it before sending and sends the text as typed, so a window is counted back from the server's clock.
/// </summary>
public static class DeadLetterTime
{
    /// <summary>The time <paramref name="text"/> names, or false with the problem in a sentence that quotes it.</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset at, out string? problem)
    {
        at = default;
        problem = null;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            problem = "it is empty: give a time such as 2026-11-25T09:00:00Z or a window back from now such as 1h or 7d";
            return false;
        }

        // A window is digits and one unit letter; anything else is read as a time.
        if (char.IsAsciiLetter(s[^1]) && s.Length > 1 && char.IsAsciiDigit(s[^2]) && s.AsSpan(0, s.Length - 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            if (!StatsWindow.TryParse(s, out var window, out problem))
            {
                return false;
            }

            at = now - window;
            return true;
        }

        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
        {
            problem = $"'{UnsafeText.Sanitize(s)}' is neither a time such as 2026-11-25T09:00:00Z nor a window back from now such as 15m, 1h or 7d";
            return false;
        }

        return true;
    }
}
