using System.Globalization;
using System.Text;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Output;

/// <summary>
/// What <c>cutover decisions</c> prints: one line per update, in fixed columns so a followed tail lines up without
/// knowing what comes next. Every field from the server goes through <see cref="UnsafeText.Sanitize"/>: the error is an
/// upstream's text, and no escape sequence in it may reach the terminal.
/// </summary>
internal static class DecisionRender
{
    /// <summary>How much of an error a line shows; <c>--json</c> has it whole.</summary>
    private const int ErrorWidth = 120;

    public static string Header { get; } = Line("TIME", "CORRELATION", "DOMAIN", "RULE", "ROUTE", "UPSTREAM", "HANDLER", "STATUS", "LATENCY", "ERROR");

    /// <summary>
    /// <c>09:00:01.123  c0ffee…  jobs  keyword  unified  unified  jobs-agent  ok 200  12 ms  -</c>; a fallback says so
    /// after the status.
    /// </summary>
    public static string Format(DecisionView d) => Line(
        d.At.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
        Safe(d.CorrelationId),
        Safe(d.Domain),
        Safe(d.Rule),
        Safe(d.Route),
        Safe(d.Upstream),
        d.Handler is null ? "-" : Safe(d.Handler),
        $"{Safe(d.Status)} {(d.Code == 0 ? "-" : d.Code.ToString(CultureInfo.InvariantCulture))}{(d.Fallback ? " fallback" : string.Empty)}",
        d.LatencyMs.ToString("0", CultureInfo.InvariantCulture) + " ms",
        d.Error is null ? "-" : UnsafeText.Sanitize(d.Error, ErrorWidth));

    private static string Line(string time, string correlation, string domain, string rule, string route, string upstream, string handler,
        string status, string latency, string error)
    {
        // Columns one space apart at least, so a value longer than its column still reads apart from the next.
        var line = new StringBuilder(160);
        line.Append(time.PadRight(12)).Append(' ').Append(correlation.PadRight(32)).Append(' ').Append(domain.PadRight(13)).Append(' ')
            .Append(rule.PadRight(11)).Append(' ').Append(route.PadRight(7)).Append(' ').Append(upstream.PadRight(13)).Append(' ')
            .Append(handler.PadRight(15)).Append(' ').Append(status.PadRight(18)).Append(' ').Append(latency.PadLeft(8)).Append("  ").Append(error);
        return line.ToString();
    }

    private static string Safe(string text) => UnsafeText.Sanitize(text);
}
