using System.Data.Common;
using System.Security.Cryptography;

namespace Cutover.Store.Sql;

/// <summary>
/// Shared conversation memory (<c>cutover_conversations</c>), the identity map (<c>cutover_identities</c>) and the
/// deployment's secrets.
/// </summary>
internal abstract partial class SqlStore
{
    private const string ConversationColumns = "user_key, domain, seen_at, instance, seq, inbound_domain, inbound_route, inbound_upstream, inbound_at";

    private const string IdentityColumns = "identifier, person, bucket, first_seen, instance, seq";

    public Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? Task.CompletedTask : WriteConversationBatchAsync(entries, cancellationToken);

    /// <summary>
    /// Upserts the entries (never none), each written row with a new, higher sequence number that becomes visible in
    /// order. The domain and the inbound route are two halves kept apart, each replaced only by a newer one on its own
    /// time (<see cref="ConversationUpdateSql"/>).
    /// </summary>
    protected abstract Task WriteConversationBatchAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// The <c>DO UPDATE</c> of both providers' conversation upserts, the stored row named <paramref name="stored"/>.
    /// An entry's domain replaces the stored one when it is not empty (an empty one only carries an inbound route) and
    /// is at least as new, or the stored one is empty (no domain known yet: any is better); its inbound route replaces
    /// the stored one when newer, and a null one leaves it. The row takes the writer and a new seq when either half
    /// changed, and stays as it is (its seq too) when neither did.
    /// </summary>
    protected static string ConversationUpdateSql(string stored)
    {
        var domainNewer = $"(excluded.domain <> '' AND ({stored}.domain = '' OR excluded.seen_at >= {stored}.seen_at))";
        var inboundNewer = $"(excluded.inbound_at IS NOT NULL AND ({stored}.inbound_at IS NULL OR excluded.inbound_at > {stored}.inbound_at))";
        return $"""
            ON CONFLICT (user_key) DO UPDATE SET
                domain = CASE WHEN {domainNewer} THEN excluded.domain ELSE {stored}.domain END,
                seen_at = CASE WHEN {domainNewer} THEN excluded.seen_at ELSE {stored}.seen_at END,
                inbound_domain = CASE WHEN {inboundNewer} THEN excluded.inbound_domain ELSE {stored}.inbound_domain END,
                inbound_route = CASE WHEN {inboundNewer} THEN excluded.inbound_route ELSE {stored}.inbound_route END,
                inbound_upstream = CASE WHEN {inboundNewer} THEN excluded.inbound_upstream ELSE {stored}.inbound_upstream END,
                inbound_at = CASE WHEN {inboundNewer} THEN excluded.inbound_at ELSE {stored}.inbound_at END,
                instance = excluded.instance, seq = excluded.seq
            WHERE {domainNewer} OR {inboundNewer}
            """;
    }

    /// <remarks>
    /// A row is recent when its domain or its inbound route is: the statuses of a reply follow the route after the domain
    /// has aged out, so the reader judges each half's age itself.
    /// </remarks>
    public async Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT {ConversationColumns} FROM cutover_conversations
            WHERE seq > @after AND (seen_at >= @since OR inbound_at >= @since) AND instance <> @instance
            ORDER BY seq LIMIT @limit
            """, ReadConversation, cancellationToken,
            ("after", afterSequence), ("since", Millis(seenSince)), ("instance", exceptInstance), ("limit", Math.Clamp(limit, 1, 100_000)));
    }

    /// <summary>
    /// Deletes rows neither seen nor routed inbound since <paramref name="before"/>: a recent inbound route keeps its row,
    /// so the statuses of a reply still follow it after the domain has aged out.
    /// </summary>
    public Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken) => WriteAsync(connection =>
        connection.DeleteInSlicesAsync("""
            DELETE FROM cutover_conversations WHERE user_key IN (
                SELECT user_key FROM cutover_conversations
                WHERE seen_at < @before AND (inbound_at IS NULL OR inbound_at < @before) LIMIT 5000)
            """, Millis(before), cancellationToken), cancellationToken);

    private ConversationEntry ReadConversation(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), ReadMillis(r, 2), r.GetString(3), r.GetInt64(4),
        r.IsDBNull(8) ? null : new InboundEntry(r.GetString(5), r.GetString(6), r.GetString(7), ReadMillis(r, 8)));

    public Task WriteIdentitiesAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? Task.CompletedTask : WriteIdentityBatchAsync(entries, cancellationToken);

    /// <summary>
    /// Upserts the entries (never none) in one transaction: a stored identifier takes the entry's person, bucket, first
    /// seen and writer, and every written row a new, higher sequence number that becomes visible in order. Of one
    /// identifier written twice in a batch, the later entry wins.
    /// </summary>
    protected abstract Task WriteIdentityBatchAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken);

    public async Task<IReadOnlyList<IdentityEntry>> ReadIdentitiesAsync(
        long afterSequence, string? exceptInstance, int limit, CancellationToken cancellationToken)
    {
        // The filter is left out when there is no instance, rather than written "@instance IS NULL OR …": no null
        // parameter whose type each driver would have to guess.
        (string, object?)[] parameters = [("after", afterSequence), ("limit", Math.Clamp(limit, 1, 100_000))];
        if (exceptInstance is not null)
        {
            parameters = [.. parameters, ("instance", exceptInstance)];
        }

        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT {IdentityColumns} FROM cutover_identities
            WHERE seq > @after{(exceptInstance is null ? string.Empty : " AND instance <> @instance")}
            ORDER BY seq LIMIT @limit
            """, ReadIdentity, cancellationToken, parameters);
    }

    public async Task<IReadOnlyList<IdentityEntry>> ReadRecentIdentitiesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT {IdentityColumns} FROM (
                SELECT {IdentityColumns} FROM cutover_identities ORDER BY seq DESC LIMIT @limit) AS recent
            ORDER BY seq
            """, ReadIdentity, cancellationToken, ("limit", Math.Clamp(limit, 1, 100_000)));
    }

    public async Task<IReadOnlyList<IdentityEntry>> FindPersonAsync(string identifier, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.ListAsync(null, $"""
            SELECT {IdentityColumns} FROM cutover_identities
            WHERE person = (SELECT person FROM cutover_identities WHERE identifier = @identifier)
            """, ReadIdentity, cancellationToken, ("identifier", identifier));

        // Sorted here rather than in SQL: PostgreSQL would order the identifiers by the database's collation, SQLite by
        // their bytes, and a person has a handful of identifiers.
        return [.. rows.OrderBy(static e => e.FirstSeen).ThenBy(static e => e.Identifier, StringComparer.Ordinal)];
    }

    private IdentityEntry ReadIdentity(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt32(2), ReadMillis(r, 3), r.GetString(4), r.GetInt64(5));

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
