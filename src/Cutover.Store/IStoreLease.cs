namespace Cutover.Store;

/// <summary>
/// A named lock held for as long as this object lives, so that one instance at a time does a job (the rollout
/// controller). On PostgreSQL it is a session advisory lock: it dies with the holder's connection, so a killed
/// process gives it up as soon as the server notices the connection is gone.
/// </summary>
public interface IStoreLease : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Whether the lease is still held (false once the connection holding it is lost).</summary>
    Task<bool> IsHeldAsync(CancellationToken cancellationToken);
}
