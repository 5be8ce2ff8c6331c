using Npgsql;

namespace Cutover.Store.Postgres;

/// <summary>
/// A lease held as a session advisory lock on a connection of its own. The server releases the lock when that
/// connection ends, so a killed process gives the lease up as soon as its connection is gone.
/// </summary>
internal sealed class PostgresLease(string name, long key, NpgsqlConnection connection) : IStoreLease
{
    // A connection runs one command at a time; IsHeldAsync and DisposeAsync may be called from different threads.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    public string Name => name;

    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_disposed)
            {
                return false;
            }

            // While the session lives its advisory lock lives; asking pg_locks also catches an unlock done by hand.
            // A bigint key shows as classid (high 32 bits) and objid (low 32 bits), both unsigned, with objsubid 1.
            await using var command = new NpgsqlCommand("""
                SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                    AND classid = ((@key >> 32) & 4294967295)::oid AND objid = (@key & 4294967295)::oid AND objsubid = 1)
                """, connection);
            command.Parameters.AddWithValue("key", key);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is gone (terminated, server restarted, network lost): so is the lock.
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteScalarAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
                // Nothing to unlock: the connection, and with it the lock, is already gone.
            }

            await connection.DisposeAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
