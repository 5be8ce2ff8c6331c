namespace Cutover.Store;

/// <summary>The database itself: which one and where, its schema, and whether it answers.</summary>
public interface IStoreDatabase
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>A description of where the data is, without credentials.</summary>
    string Location { get; }

    /// <summary>
    /// The full path of the database file, or null when the data is not in a local file (PostgreSQL, an in-memory
    /// SQLite database): where files that belong with the store, such as the hashing key, can be kept beside it.
    /// </summary>
    string? FilePath { get; }

    /// <summary>Applies every schema migration not yet applied. Safe to run again.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The highest applied migration; 0 for an empty database.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Checks that the store answers.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
