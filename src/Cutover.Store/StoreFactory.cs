using Cutover.Store.Postgres;
using Cutover.Store.Sqlite;

namespace Cutover.Store;

/// <summary>Opens the store a configuration names.</summary>
public static class StoreFactory
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static ICutoverStore Open(string provider, string connectionString, TimeProvider time) => provider switch
    {
        Sqlite => new SqliteStore(connectionString, time),
        Postgres => new PostgresStore(connectionString, time),
        _ => throw new StoreException($"unknown store provider '{provider}': use sqlite or postgres"),
    };
}
