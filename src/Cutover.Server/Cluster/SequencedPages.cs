namespace Cutover.Server.Cluster;

/// <summary>
/// Reads what other instances wrote to a shared table ordered by a store sequence, page by page from a watermark. Each
/// read starts <see cref="Overlap"/> sequences below the watermark: concurrent writers may commit sequences out of order
/// (a transaction that took 100 commits after one that took 101), and applying an entry twice must change nothing.
/// </summary>
internal static class SequencedPages
{
    /// <summary>How far below the watermark each read starts, for sequences committed out of order.</summary>
    public const long Overlap = 128;

    public const int PageSize = 2_000;

    /// <summary>At most this many pages a round, so one sync never runs for long; the rest comes next round.</summary>
    public const int MaxPagesPerRound = 50;

    /// <summary>Reads and applies every page after <paramref name="watermark"/>; returns the new watermark.</summary>
    public static async Task<long> ReadAsync<T>(
        long watermark, Func<long, int, CancellationToken, Task<IReadOnlyList<T>>> read, Func<T, long> sequenceOf, Action<T> apply,
        CancellationToken cancellationToken)
    {
        var after = Math.Max(0, watermark - Overlap);
        for (var page = 0; page < MaxPagesPerRound; page++)
        {
            var entries = await read(after, PageSize, cancellationToken);
            foreach (var entry in entries)
            {
                apply(entry);
                after = sequenceOf(entry);
            }

            watermark = Math.Max(watermark, after);
            if (entries.Count < PageSize)
            {
                break;
            }
        }

        return watermark;
    }
}
