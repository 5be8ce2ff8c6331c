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
        Postgres => throw new StoreException("the postgres store is not built yet; use Store:Provider = sqlite"),
        _ => throw new StoreException($"unknown store provider '{provider}': use sqlite or postgres"),
    };
}
