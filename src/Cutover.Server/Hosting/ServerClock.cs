namespace Cutover.Server.Hosting;

/// <summary>When this server started, for status.</summary>
internal sealed class ServerClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
