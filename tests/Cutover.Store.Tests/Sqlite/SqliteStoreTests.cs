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
    public async Task DeleteSecretAsync_LeavesNoCopyOfTheSecretInTheFiles()
    {
        // arrange: the secret is written (into the WAL, and the main file once checkpointed)
        var secret = await Store.GetOrCreateSecretAsync("user_key_hash", 32, Cancel);
        Assert.True(Contains(await ReadStoreFilesAsync(), secret), "the test must see the secret in the files before deleting it");

        // act
        await Store.DeleteSecretAsync("user_key_hash", Cancel);

        // assert: neither the main file nor the WAL holds the bytes (a plain DELETE leaves them in the page)
        Assert.False(Contains(await ReadStoreFilesAsync(), secret));
    }

    [Fact]
    public async Task FilePath_IsTheDatabaseFile_NullInMemory()
    {
        await using var inMemory = StoreFactory.Open(StoreFactory.Sqlite, "Data Source=:memory:", TimeProvider.System);
        await using var shared = StoreFactory.Open(StoreFactory.Sqlite, "Data Source=name;Mode=Memory;Cache=Shared", TimeProvider.System);

        Assert.Equal(Path.Combine(_directory.FullName, "nested", "cutover.db"), Store.FilePath);
        Assert.Null(inMemory.FilePath);
        Assert.Null(shared.FilePath);
    }

    private async Task<byte[]> ReadStoreFilesAsync()
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(Path.Combine(_directory.FullName, "nested"), "cutover.db*"))
        {
            // Shared read: the store's pooled connections keep the files open.
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, Cancel);
            bytes.AddRange(content);
        }

        return [.. bytes];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public void Open_UnknownProviderOrBadConnectionString_SaysWhatToFix()
    {
        var provider = Assert.Throws<StoreException>(() => StoreFactory.Open("mysql", "x", TimeProvider.System));
        var connection = Assert.Throws<StoreException>(() => StoreFactory.Open(StoreFactory.Sqlite, "Nonsense Key=1", TimeProvider.System));

        Assert.Contains("'mysql'", provider.Message);
        Assert.Contains("Store:ConnectionString", connection.Message);
    }
}
