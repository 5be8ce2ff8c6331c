using System.Net.Http.Json;
using System.Text.Json;
using Cutover.Store;

namespace Cutover.Cli.Demo;

/// <summary>
/// The queued demo's <c>cutover dlq replay ID… --reason R</c>, in one place: the dead letters are listed from the store
/// (the summary names them), then replayed through the admin API (<c>POST /admin/dlq/replay</c>), as an operator
/// would, so that the replay and its reason are in the audit trail. The demo's router listens on loopback without
/// tokens, which the admin API trusts.
/// </summary>
internal static class DemoReplay
{
    // The store lists at most this many at once; the demo's outage makes a few dozen.
    private const int MaxLetters = 100_000;

    // POST /admin/dlq/replay takes at most this many ids at once.
    private const int Chunk = 1_000;

    /// <summary>Lists every dead letter and queues them all again, routed as usual (no <c>--to</c>).</summary>
    public static async Task<DemoReplayResult> ReplayAllAsync(IDeliveryStore store, Uri router, string reason, CancellationToken cancellationToken)
    {
        var letters = await store.ListDeadLettersAsync(new DeadLetterQuery(Limit: MaxLetters), cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = router };
        var replayed = 0;
        foreach (var chunk in letters.Select(static l => l.Id).Chunk(Chunk))
        {
            using var response = await http.PostAsJsonAsync("admin/dlq/replay", new { ids = chunk, reason }, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            replayed += answer.RootElement.GetProperty("replayed").GetInt32();
        }

        return new DemoReplayResult(letters, replayed, reason);
    }
}
