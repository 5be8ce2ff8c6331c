using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cutover.Testing;

/// <summary>
/// Collects the requests Kestrel refuses as malformed before any app code runs (its "bad request data" log, at
/// Debug): a forward whose framing was broken by an injected header shows up here and nowhere else.
/// </summary>
internal sealed class KestrelBadRequestLog : ILoggerProvider, ILogger
{
    public const string Category = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    private readonly ConcurrentQueue<KeyValuePair<string, string>> _entries = new();

    public IReadOnlyCollection<KeyValuePair<string, string>> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? this : NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var connection = string.Empty;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var pair in values)
            {
                if (pair.Key == "ConnectionId")
                {
                    connection = pair.Value?.ToString() ?? string.Empty;
                }
            }
        }

        _entries.Enqueue(new(connection, formatter(state, exception)));
    }

    public void Dispose()
    {
    }
}
