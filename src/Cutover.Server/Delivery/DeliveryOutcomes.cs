using Cutover.Server.Configuration;
using Cutover.Store;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// Records how deliveries ended, the outcomes of concurrent deliveries together: one transaction for whatever finished
/// while the previous one was written, where one each cost the store a transaction per delivery (on SQLite, each a turn
/// at the file's one writer, which an acceptance then waited behind).
/// </summary>
internal sealed class DeliveryOutcomes : IAsyncDisposable
{
    // At most one outcome per worker waits, so the queue never fills; the group's cap keeps a transaction short.
    private const int MaxGroup = 256;
    private const int Capacity = 4_096;

    private readonly GroupCommit<LeaseOutcome, bool> _commit;

    public DeliveryOutcomes(IDeliveryStore store, TimeProvider time)
    {
        _commit = new GroupCommit<LeaseOutcome, bool>(store.FinishAsync, MaxGroup, TimeSpan.Zero, Capacity, time);
    }

    /// <summary>Groups written and outcomes in them since start.</summary>
    public (long Groups, long Outcomes) Written => (_commit.Groups, _commit.Items);

    /// <summary>Records <paramref name="outcome"/>; false when the lease was no longer its owner's, so nothing changed.</summary>
    public Task<bool> RecordAsync(LeaseOutcome outcome) => _commit.SubmitAsync(outcome, CancellationToken.None).AsTask();

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
