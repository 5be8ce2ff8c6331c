using Cutover.Core.Health;

namespace Cutover.Store;

/// <summary>What health is judged against (the baselines) and the verdict last judged, shared with SQL and other instances.</summary>
public interface IHealthStore
{
    /// <summary>Stores a baseline; returns it with its id.</summary>
    Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken);

    /// <summary>The newest baseline, or null when none was captured.</summary>
    Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the stored health verdict with <paramref name="snapshot"/>.</summary>
    Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The last stored health verdict, or null when no instance has stored one.</summary>
    Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken);
}
