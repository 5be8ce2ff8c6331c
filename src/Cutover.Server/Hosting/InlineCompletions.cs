namespace Cutover.Server.Hosting;

/// <summary>
/// Whether socket completions, and the requests they carry, run inline on the runtime's socket engine threads instead of
/// being handed to the thread pool: one hop less for every read and write. On for <c>cutover serve</c> unless the
/// environment says otherwise (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c>).
/// </summary>
/// <remarks>
/// <para>
/// Measured on one pinned core: ~25% less CPU a webhook and 1.3 × the requests a second, with the same p99 at half load
/// (docs/benchmarks.md). The runtime reads the variable once, when the first socket is made, so the CLI sets it first
/// thing; Kestrel follows the same variable (<c>UnsafePreferInlineScheduling</c>), so one switch turns both off.
/// </para>
/// <para>
/// Inline is only safe while nothing on a socket thread blocks. The webhook path never does: it computes, awaits
/// sockets and queues decisions. Everything else a request can reach (the admin API and its synchronous SQLite calls,
/// probes, metrics) runs on the thread pool (<see cref="ThreadPoolContext"/>), and the decision log writer brings a
/// network store's continuations back to its own thread.
/// </para>
/// </remarks>
public static class InlineCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets' SocketAsyncEngine reads it).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether this process runs socket completions inline: the variable is exactly <c>1</c>, as the runtime reads it.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Turns inline completions on for this process unless the variable is already set (to anything). Call before the
    /// process makes its first socket: later, the runtime has already read it.
    /// </summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
