using Cutover.Server.Configuration;
using Cutover.Store;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// Queued delivery's front half: makes each accepted webhook durable before Meta gets its 200, committing the webhooks of
/// concurrent requests together (<c>Delivery:CommitMaxGroup</c>, <c>Delivery:CommitLinger</c>) so that durability costs
/// one sync per group, not one per webhook; then wakes the delivery loop.
/// </summary>
internal sealed class QueuedIngest : IAsyncDisposable
{
    /// <summary>
    /// How long a webhook waits for its commit before Meta is answered 503 (and retries). A commit that lands later is
    /// harmless: the retry is then a duplicate, acknowledged and not delivered twice.
    /// </summary>
    internal static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(10);

    // Webhooks waiting for a commit; past this, requests wait to be queued (Kestrel's own limits bound how many).
    private const int Capacity = 16_384;

    private readonly GroupCommit<InboxWebhook, AcceptResult>? _commit;
    private readonly DeliverySignal _signal;
    private readonly TimeProvider _time;

    public QueuedIngest(IOptions<CutoverOptions> options, IDeliveryStore store, DeliverySignal signal, TimeProvider time)
    {
        _signal = signal;
        _time = time;
        var delivery = options.Value.Delivery;
        if (delivery.Mode == DeliveryMode.Queued)
        {
            _commit = new GroupCommit<InboxWebhook, AcceptResult>(
                store.AcceptAsync, delivery.CommitMaxGroup, delivery.CommitLinger, Capacity, time);
        }
    }

    /// <summary>Webhooks waiting for their group's commit.</summary>
    public int Waiting => _commit?.Queued ?? 0;

    /// <summary>Groups committed and webhooks in them since start.</summary>
    public (long Groups, long Webhooks) Committed => _commit is null ? (0, 0) : (_commit.Groups, _commit.Items);

    /// <summary>
    /// Stores <paramref name="webhook"/> durably and says what was new in it. Throws what the store threw, or
    /// <see cref="TimeoutException"/> after <see cref="AcceptTimeout"/>: either way nothing may be acknowledged.
    /// </summary>
    public async Task<AcceptResult> AcceptAsync(InboxWebhook webhook)
    {
        var commit = _commit ?? throw new InvalidOperationException("queued delivery is not configured (Cutover:Delivery:Mode)");
        var result = await commit.SubmitAsync(webhook, CancellationToken.None).AsTask().WaitAsync(AcceptTimeout, _time);
        if (result.Accepted > 0)
        {
            _signal.Wake();
        }

        return result;
    }

    public ValueTask DisposeAsync() => _commit?.DisposeAsync() ?? ValueTask.CompletedTask;
}
