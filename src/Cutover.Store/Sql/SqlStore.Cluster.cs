using System.Data.Common;
using System.Security.Cryptography;

namespace Cutover.Store.Sql;

/// <summary>Shared conversation memory (<c>cutover_conversations</c>) and the deployment's secrets.</summary>
internal abstract partial class SqlStore
{
    public Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? Task.CompletedTask : WriteConversationBatchAsync(entries, cancellationToken);

    /// <summary>
    /// Upserts the entries (never none), keeping the newer where one is stored, each written row with a new, higher
    /// sequence number that becomes visible in order.
    /// </summary>
    protected abstract Task WriteConversationBatchAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken);

    public async Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, """
            SELECT user_key, domain, seen_at, instance, seq FROM cutover_conversations
            WHERE seq > @after AND seen_at >= @since AND instance <> @instance
            ORDER BY seq LIMIT @limit
            """, r => new ConversationEntry(r.GetString(0), r.GetString(1), ReadMillis(r, 2), r.GetString(3), r.GetInt64(4)),
            cancellationToken, ("after", afterSequence), ("since", Millis(seenSince)), ("instance", exceptInstance), ("limit", Math.Clamp(limit, 1, 100_000)));
    }

    public Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken) => WriteAsync(connection =>
        connection.DeleteInSlicesAsync("""
            DELETE FROM cutover_conversations WHERE user_key IN (SELECT user_key FROM cutover_conversations WHERE seen_at < @before LIMIT 5000)
            """, Millis(before), cancellationToken), cancellationToken);

    /// <remarks>
    /// Two statements, each seeing what was committed before it began: of two instances creating the same secret at
    /// once, the second's insert waits for the first's and does nothing, and both then read the winner's value.
    /// </remarks>
    public Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        await connection.ExecuteAsync(null, "INSERT INTO cutover_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING",
            cancellationToken, ("name", name), ("value", RandomNumberGenerator.GetBytes(length)));
        return (byte[])(await connection.ScalarAsync(null, "SELECT value FROM cutover_secrets WHERE name = @name", cancellationToken, ("name", name)))!;
    }, cancellationToken);

    public async Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ScalarAsync(null, "SELECT value FROM cutover_secrets WHERE name = @name", cancellationToken, ("name", name)) as byte[];
    }

    public async Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await DeleteSecurelyAsync(connection, () => connection.ExecuteAsync(null, "DELETE FROM cutover_secrets WHERE name = @name",
            cancellationToken, ("name", name)), cancellationToken) > 0;
    }

    /// <summary>
    /// Runs <paramref name="delete"/> so that the deleted bytes leave the files where the database can do that (SQLite);
    /// on PostgreSQL the dead row stays in its page until vacuumed, and in the WAL and its archives: backups taken
    /// before keep it.
    /// </summary>
    protected virtual Task<int> DeleteSecurelyAsync(DbConnection connection, Func<Task<int>> delete, CancellationToken cancellationToken) => delete();
}
