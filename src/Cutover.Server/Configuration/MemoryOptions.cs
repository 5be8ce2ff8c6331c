namespace Cutover.Server.Configuration;

/// <summary><c>Memory:*</c>: the conversation memory that keeps "yes" in the domain of the message before it.</summary>
public sealed class MemoryOptions
{
    /// <summary>How long a user's last domain is remembered. Default 30 minutes.</summary>
    public TimeSpan Ttl { get; set; } = CutoverDefaults.MemoryTtl;

    /// <summary>How many users are remembered at most. Default 200,000.</summary>
    public int Capacity { get; set; } = CutoverDefaults.MemoryCapacity;
}
