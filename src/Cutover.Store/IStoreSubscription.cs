using System.Threading.Channels;

namespace Cutover.Store;

/// <summary>
/// Changes made in the store by someone else (another instance, or an operator in SQL) as they happen. Where the
/// provider cannot notify (SQLite) nothing ever arrives and <see cref="IsLive"/> is false: callers keep polling,
/// which they do anyway as a safety net for a missed notification.
/// </summary>
public interface IStoreSubscription : IAsyncDisposable
{
    /// <summary>What changed: one of <see cref="StoreChannels"/>.</summary>
    ChannelReader<string> Changes { get; }

    /// <summary>Whether notifications can arrive now (false while the listening connection is being re-established).</summary>
    bool IsLive { get; }
}
