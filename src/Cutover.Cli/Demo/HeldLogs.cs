using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cutover.Cli.Demo;

/// <summary>
/// The demo router's log while a live view is on the terminal: held here instead of written to the console, where a
/// line in the middle of the view (the controller's rollback warning) tore it, leaving a stale frame above the line and
/// stray characters at the right edge. What was held is written whole once the view is done (<see cref="WriteTo"/>).
/// </summary>
internal sealed class HeldLogs : ILoggerProvider
{
    // Enough for every warning a demo gives; a runaway logger must not grow the demo's memory.
    private const int Capacity = 200;

    private readonly ConcurrentQueue<string> _lines = new();
    private int _count;
    private int _dropped;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Writes what was held since the last call, one line each, and a count of what did not fit.</summary>
    public void WriteTo(TextWriter writer)
    {
        while (_lines.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _count);
            writer.WriteLine(line);
        }

        if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
        {
            writer.WriteLine($"({dropped} more log lines were not kept)");
        }
    }

    public void Dispose()
    {
    }

    private void Hold(string line)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _lines.Enqueue(line);
    }

    private sealed class Logger(HeldLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // As the console logger's first line says it: the level, where it came from, the message (and the exception's).
            var level = logLevel switch
            {
                LogLevel.Critical => "crit",
                LogLevel.Error => "fail",
                LogLevel.Warning => "warn",
                LogLevel.Information => "info",
                _ => "dbug",
            };
            var message = formatter(state, exception);
            owner.Hold(exception is null ? $"{level}: {category}[{eventId.Id}] {message}" : $"{level}: {category}[{eventId.Id}] {message} ({exception.Message})");
        }
    }
}
