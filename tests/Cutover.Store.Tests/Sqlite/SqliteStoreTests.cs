using Microsoft.Data.Sqlite;

namespace Cutover.Store.Tests.Sqlite;

public sealed class SqliteStoreTests : StoreContractTests
{
    private DirectoryInfo _directory = null!;

    protected override Task<ICutoverStore> CreateStoreAsync()
    {
        _directory = Directory.CreateTempSubdirectory("cutover-store-");
        return Task.FromResult(StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}", TimeProvider.System));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync(); // the store releases its own pool
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task MigrateAsync_UsesWriteAheadLog()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Cancel));
    }

    [Fact]
    public async Task ReadUserActivityAsync_ScansTheWindowThroughTheCreatedAtIndex()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + Cutover.Store.Sqlite.SqliteStore.UserActivitySql;
        command.Parameters.AddWithValue("$from", 0L);
        command.Parameters.AddWithValue("$to", 1L);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel))
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, static step => step.Contains("USING INDEX idx_routing_logs_created_at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_FolderCannotBeMade_StoreExceptionNamingTheStore()
    {
        // A file stands where the store's folder should be: no permissions needed to make that fail, even as root.
        var blocker = Path.Combine(_directory.FullName, "blocker");
        await File.WriteAllTextAsync(blocker, "not a folder", Cancel);
        await using var store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(blocker, "cutover.db")}", TimeProvider.System);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync(Cancel));

        Assert.Contains("cannot create the folder", ex.Message);
        Assert.Contains(Path.Combine(blocker, "cutover.db"), ex.Message);
    }

    [Fact]
    public void Open_UnknownProviderOrBadConnectionString_SaysWhatToFix()
    {
        var provider = Assert.Throws<StoreException>(() => StoreFactory.Open("mysql", "x", TimeProvider.System));
        var connection = Assert.Throws<StoreException>(() => StoreFactory.Open(StoreFactory.Sqlite, "Nonsense Key=1", TimeProvider.System));

        Assert.Contains("'mysql'", provider.Message);
        Assert.Contains("Store:ConnectionString", connection.Message);
    }
}
