namespace Cutover.Server.Delivery;

/// <summary>
/// Wakes this instance's delivery loop when there may be new work: a webhook accepted here, or a delivery finished (the
/// person's next update may now be claimed). Wakes coalesce: many signals before the loop looks are one wake-up.
/// Other instances' work is found by polling (<c>Delivery:PollInterval</c>).
/// </summary>
internal sealed class DeliverySignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled and not yet seen: one wake-up is enough.
        }
    }

    /// <summary>Waits for a wake-up or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        time == TimeProvider.System
            ? _wake.WaitAsync(timeout, cancellationToken)
            : WaitOnAsync(timeout, time, cancellationToken);

    // SemaphoreSlim's own timeout runs on the system clock; a test's clock decides here instead.
    private async Task<bool> WaitOnAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), linked, timeout, Timeout.InfiniteTimeSpan);
        try
        {
            await _wake.WaitAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
