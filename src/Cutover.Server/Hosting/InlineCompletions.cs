namespace Cutover.Server.Hosting;

/// <summary>
/// Whether socket completions, and the requests they carry, run inline on the runtime's socket engine threads instead of
/// being handed to the thread pool: one hop less for every read and write. Off unless the environment sets
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>; Kestrel follows the same variable
/// (<c>UnsafePreferInlineScheduling</c>), so one switch turns both on.
/// </summary>
/// <remarks>
/// Measured on a quiet pinned core (2026-11-26): ~25% less CPU a webhook. Re-measured on a busy machine (issue 14): no
/// gain beyond the noise, and less throughput where the CPU is shared, so it is no longer the default
/// (docs/benchmarks.md). Inline is only safe while nothing on a socket thread blocks: <see cref="OffSocketThreads"/>
/// keeps everything but the webhook off those threads, and docs/threading.md says what enforces it on the webhook path.
/// </remarks>
public static class InlineCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets' SocketAsyncEngine reads it).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether this process runs socket completions inline: the variable is exactly <c>1</c>, as the runtime reads it.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
