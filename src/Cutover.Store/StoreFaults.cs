using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cutover.Store;

/// <summary>What a store's exception says about the store as a whole, for callers that retry in the background.</summary>
public static class StoreFaults
{
    /// <summary>
    /// Whether <paramref name="exception"/> says the store cannot be used at all right now, rather than that it refused
    /// this one call: SQLite could not read or write its file (an I/O error, a disk that is full or read-only, a file made
    /// immutable or that cannot be opened, a lock held past the timeout). Such a fault is the file's, not the call's, so a
    /// caller keeps what it was writing and tries again later, as it does when a database does not answer at all; a
    /// refusal, by contrast, would be refused again whenever it was retried.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        StoreException { InnerException: { } inner } => IsUnavailable(inner),
        SqliteException sqlite => sqlite.SqliteErrorCode is raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_NOMEM
            or raw.SQLITE_READONLY or raw.SQLITE_IOERR or raw.SQLITE_CORRUPT or raw.SQLITE_FULL or raw.SQLITE_CANTOPEN
            or raw.SQLITE_PROTOCOL or raw.SQLITE_NOTADB or raw.SQLITE_PERM,
        _ => false,
    };

    /// <summary>
    /// The kind of a SQLite failure in words that are safe to show anyone who can reach <c>/readyz</c>: the (extended)
    /// result code and SQLite's fixed text for it (<c>disk I/O error</c>, <c>database or disk is full</c>...), never the
    /// connection's message, which can name a file, a table or a value. Null for any other exception.
    /// </summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StoreException { InnerException: { } inner } => Describe(inner),
        SqliteException sqlite => $"SqliteException (SQLite code {sqlite.SqliteExtendedErrorCode}: {raw.sqlite3_errstr(sqlite.SqliteExtendedErrorCode).utf8_to_string()})",
        _ => null,
    };
}
