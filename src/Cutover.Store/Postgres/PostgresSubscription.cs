using System.Threading.Channels;
using Npgsql;

namespace Cutover.Store.Postgres;

/// <summary>
/// LISTEN on a connection of its own. When that connection drops, it reconnects with a capped backoff and then
/// reports <see cref="StoreChannels.Resync"/>, since notifications sent meanwhile were lost.
/// </summary>
internal sealed class PostgresSubscription(NpgsqlDataSource dataSource, string channel, TimeProvider time) : IStoreSubscription
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    // A silent network can leave a connection that never errors; after this long without news, ask the server.
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(30);

    // Bounded and dropping the oldest: a reader that falls behind re-reads the state anyway, and a flood of
    // notifications must not grow memory without limit.
    private readonly Channel<string> _changes = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false });

    private readonly CancellationTokenSource _stop = new();
    private NpgsqlConnection? _connection;
    private Task _loop = Task.CompletedTask;
    private volatile bool _live;
    private int _disposed;

    public ChannelReader<string> Changes => _changes.Reader;

    public bool IsLive => _live;

    /// <summary>Listens before returning, so a change made after SubscribeAsync returns is never missed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection = await ListenAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            throw new StoreException($"cannot listen for changes on the PostgreSQL store: {ex.Message}", ex);
        }

        _live = true;
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _live = false;
        if (_connection is not null)
        {
            await DisposeQuietlyAsync(_connection);
        }

        _changes.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await _connection!.WaitAsync(ProbeAfter, stop))
                {
                    await using var probe = new NpgsqlCommand("SELECT 1", _connection);
                    await probe.ExecuteScalarAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Whatever broke the connection (server gone, backend terminated, network), the listener must not die
                // with it: everything here ends in a reconnect.
                _live = false;
                await DisposeQuietlyAsync(_connection!);
                _connection = null;
                _connection = await ReconnectAsync(stop);
                if (_connection is null)
                {
                    return;
                }

                _live = true;
                _changes.Writer.TryWrite(StoreChannels.Resync);
            }
        }
    }

    /// <summary>Tries again and again, doubling the wait up to <see cref="LongestRetry"/>; null when stopped.</summary>
    private async Task<NpgsqlConnection?> ReconnectAsync(CancellationToken stop)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                await Task.Delay(delay, time, stop);
                return await ListenAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Still down (refused, starting up, timed out): wait longer, up to the cap, and try again.
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += OnNotification;
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.Notification -= OnNotification;
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        connection.Notification -= OnNotification;
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
            // Already broken: nothing left to close properly.
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Payload is StoreChannels.Routing or StoreChannels.Rollout or StoreChannels.Resync)
        {
            _changes.Writer.TryWrite(e.Payload);
        }
    }
}
