using Cutover.Store;

namespace Cutover.Cli.Demo;

/// <summary>
/// The queued demo's <c>dlq replay --all --reason R</c>, in one place. The demo hosts the router in its own process, so
/// it asks the store directly; the admin endpoint (<c>/admin/dlq</c>) would also record the reason in the audit trail,
/// which the store alone does not, so the demo prints it in its summary instead. Moving to the endpoint changes this
/// class only.
/// </summary>
internal static class DemoReplay
{
    // The store lists at most this many at once; the demo's outage makes a few dozen.
    private const int MaxLetters = 100_000;

    /// <summary>Lists every dead letter and queues them all again, routed as usual (no <c>--to</c>).</summary>
    public static async Task<DemoReplayResult> ReplayAllAsync(IDeliveryStore store, TimeProvider time, string reason, CancellationToken cancellationToken)
    {
        var letters = await store.ListDeadLettersAsync(new DeadLetterQuery(Limit: MaxLetters), cancellationToken);
        var replayed = letters.Count == 0 ? 0 : await store.ReplayAsync([.. letters.Select(static l => l.Id)], target: null, time.GetUtcNow(), cancellationToken);
        return new DemoReplayResult(letters, replayed, reason);
    }
}
