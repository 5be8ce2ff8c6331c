using System.Globalization;
using Cutover.Core.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The console's format: one line per entry, as the simple formatter's single-line mode writes it
/// (<c>12:34:56 info: Category[1001] message exception</c>), with every character of <see cref="UnsafeText"/>
/// escaped (<c>\r</c>, <c>\n</c>, else <c>\uXXXX</c>) and a message cut after <see cref="MaxMessageLength"/> characters.
/// </summary>
/// <remarks>
/// Values from outside reach messages (a parser's problem, an upstream's error, a name from the configuration, a reason
/// written through the PostgreSQL runbook functions). Checking each at its source is the first defence; this is the last:
/// whatever a message quotes, it cannot move the cursor, retitle the terminal, erase a line or add a forged one. The
/// exception's own line breaks become spaces, as in single-line mode; a control character inside it is escaped.
/// Options are the simple formatter's (<c>Logging:Console:FormatterOptions</c>): TimestampFormat, UseUtcTimestamp,
/// ColorBehavior. Scopes are not written.
/// </remarks>
internal sealed class SafeConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "cutover";

    /// <summary>Longest message written whole (4 KiB); the rest is cut, and the line says how much.</summary>
    public const int MaxMessageLength = 4 * 1024;

    /// <summary>Longest exception text written whole: a stack trace is longer than a message, but not unbounded either.</summary>
    public const int MaxExceptionLength = 32 * 1024;

    private readonly IDisposable? _reload;
    private volatile Settings _settings;

    public SafeConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _settings = new Settings(options.CurrentValue);
        _reload = options.OnChange(o => _settings = new Settings(o));
    }

    public void Dispose() => _reload?.Dispose();

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var exception = logEntry.Exception;
        if (exception is null && string.IsNullOrEmpty(message))
        {
            return;
        }

        var settings = _settings;
        if (settings.Options.TimestampFormat is { } format)
        {
            // Wall-clock time, as the console always showed it, even while the server runs on a test's or the demo's clock.
            var now = settings.Options.UseUtcTimestamp ? TimeProvider.System.GetUtcNow() : TimeProvider.System.GetLocalNow();
            textWriter.Write(now.ToString(format, CultureInfo.InvariantCulture));
        }

        WriteLevel(textWriter, logEntry.LogLevel, settings.Color);
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write(']');
        if (!string.IsNullOrEmpty(message))
        {
            textWriter.Write(' ');
            WriteEscaped(textWriter, message, MaxMessageLength, breaksAsSpaces: false);
        }

        if (exception is not null)
        {
            textWriter.Write(' ');
            WriteEscaped(textWriter, exception.ToString(), MaxExceptionLength, breaksAsSpaces: true);
        }

        textWriter.Write(Environment.NewLine);
    }

    /// <summary>
    /// Writes <paramref name="text"/> with every unsafe character escaped, cut after <paramref name="limit"/> characters.
    /// Clean text (the usual case) is written in one piece.
    /// </summary>
    internal static void WriteEscaped(TextWriter writer, ReadOnlySpan<char> text, int limit, bool breaksAsSpaces)
    {
        var cut = 0;
        if (text.Length > limit)
        {
            var keep = char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit;
            cut = text.Length - keep;
            text = text[..keep];
        }

        for (var at = UnsafeText.IndexOfUnsafe(text); at >= 0; at = UnsafeText.IndexOfUnsafe(text))
        {
            writer.Write(text[..at]);
            var c = text[at];
            switch (c)
            {
                case '\r' or '\n' when breaksAsSpaces:
                    writer.Write(' ');
                    break;
                case '\r':
                    writer.Write("\\r");
                    break;
                case '\n':
                    writer.Write("\\n");
                    break;
                default:
                    writer.Write("\\u");
                    writer.Write(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
            }

            text = text[(at + 1)..];
        }

        writer.Write(text);
        if (cut > 0)
        {
            writer.Write(" … (");
            writer.Write(cut.ToString("N0", CultureInfo.InvariantCulture));
            writer.Write(" more characters cut)");
        }
    }

    /// <summary>The options, and whether they mean colour here (decided once, not for every line).</summary>
    private sealed class Settings(SimpleConsoleFormatterOptions options)
    {
        public SimpleConsoleFormatterOptions Options { get; } = options;

        public bool Color { get; } = options.ColorBehavior switch
        {
            LoggerColorBehavior.Enabled => true,
            LoggerColorBehavior.Disabled => false,
            _ => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null,
        };
    }

    /// <summary>The level as the simple formatter writes it, in its colours when the console is a terminal.</summary>
    private static void WriteLevel(TextWriter writer, LogLevel level, bool color)
    {
        var (text, background, foreground) = level switch
        {
            LogLevel.Trace => ("trce", "\x1B[40m", "\x1B[37m"),
            LogLevel.Debug => ("dbug", "\x1B[40m", "\x1B[37m"),
            LogLevel.Information => ("info", "\x1B[40m", "\x1B[32m"),
            LogLevel.Warning => ("warn", "\x1B[40m", "\x1B[1m\x1B[33m"),
            LogLevel.Error => ("fail", "\x1B[41m", "\x1B[30m"),
            LogLevel.Critical => ("crit", "\x1B[41m", "\x1B[1m\x1B[37m"),
            _ => ("none", null, null),
        };
        if (!color || background is null)
        {
            writer.Write(text);
            return;
        }

        writer.Write(background);
        writer.Write(foreground);
        writer.Write(text);
        writer.Write("\x1B[39m\x1B[22m\x1B[49m");
    }
}
