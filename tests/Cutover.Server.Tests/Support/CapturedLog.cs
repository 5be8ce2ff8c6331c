using Microsoft.Extensions.Logging;

namespace Cutover.Server.Tests.Support;

/// <summary>One captured log entry.</summary>
public sealed record CapturedLog(LogLevel Level, int EventId, string Category, string Message);
