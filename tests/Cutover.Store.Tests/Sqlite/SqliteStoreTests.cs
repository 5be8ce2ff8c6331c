using Cutover.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Tests.Sqlite;

public sealed class SqliteStoreTests : StoreContractTests
{
    private DirectoryInfo _directory = null!;

    protected override Task<ICutoverStore> CreateStoreAsync()
    {
        _directory = Directory.CreateTempSubdirectory("cutover-store-");
        return Task.FromResult(OpenSameDatabase());
    }

    protected override ICutoverStore OpenSameDatabase() =>
        StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}", TimeProvider.System);

    /// <summary>Through the store's own VFS: this process holds the file, and its WAL index is in the process's memory.</summary>
    protected override async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_directory.FullName, "nested", "cutover.db"),
            Vfs = SqliteStore.ExclusiveVfs,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
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
    public async Task Store_KeepsTheWalIndexInItsOwnMemory_NoSharedMemoryFileIsMapped()
    {
        // A -shm file would be mapped into memory, and a write to a mapped page the kernel refuses (the file made
        // immutable, its file system shut down) is a SIGBUS that kills the process; a refused write() is only an error.
        var database = Path.Combine(_directory.FullName, "nested", "cutover.db");
        await Store.SaveBaselineAsync(Baseline("wal"), Cancel);

        Assert.True(File.Exists(database + "-wal"), "the store writes through its WAL");
        Assert.False(File.Exists(database + "-shm"), "the store mapped a -shm file");
        Assert.NotNull(await Store.LatestBaselineAsync(Cancel));
    }

    [Fact]
    public async Task Writes_WalUnwritableThenWritableAgain_RefusedAsAFaultThenTakenWithoutARestart()
    {
        // arrange: a store in use; its WAL made immutable (a file that refuses writes, as a failing disk's does)
        var wal = Path.Combine(_directory.FullName, "nested", "cutover.db-wal");
        await Store.SaveBaselineAsync(Baseline("before"), Cancel);
        if (await ChattrAsync("+i", wal) is { } refused)
        {
            Assert.Skip($"chattr +i is refused here ({refused.Trim()}): the test needs root on a file system with the immutable flag (ext4, xfs, btrfs)");
        }

        try
        {
            // act: a write meanwhile; then the pool lets its connections go (as it prunes idle ones) and a read opens a
            // new one, which SQLite can only open read-only while the WAL cannot be written
            var during = await Assert.ThrowsAnyAsync<SqliteException>(() => Store.SaveBaselineAsync(Baseline("during"), Cancel));
            Assert.True(StoreFaults.IsUnavailable(during), $"{during.SqliteErrorCode}/{during.SqliteExtendedErrorCode} {during.Message}");
            SqliteConnection.ClearAllPools();
            Assert.Equal("before", (await Store.LatestBaselineAsync(Cancel))?.Reason);
        }
        finally
        {
            await ChattrAsync("-i", wal);
        }

        // assert: the file takes writes again, and so does the store, whichever connection the pool had
        await Store.SaveBaselineAsync(Baseline("after"), Cancel);
        Assert.Equal("after", (await Store.LatestBaselineAsync(Cancel))?.Reason);
    }

    private static Cutover.Core.Health.Baseline Baseline(string reason) =>
        new(0, Now, TimeSpan.FromHours(1), "test", reason, [], new(string.Empty, 0, null, null, 0));

    /// <returns>null when it worked, else what chattr said.</returns>
    private static async Task<string?> ChattrAsync(string flag, string path)
    {
        var info = new System.Diagnostics.ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, UseShellExecute = false };
        try
        {
            using var chattr = System.Diagnostics.Process.Start(info)!;
            var error = await chattr.StandardError.ReadToEndAsync();
            await chattr.WaitForExitAsync();
            return chattr.ExitCode == 0 ? null : error.Length > 0 ? error : $"exit code {chattr.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }

    [Fact]
    public async Task MigrateAsync_AnotherProcessHasTheFileOpen_RefusedAtOnceNamingIt()
    {
        // arrange: this store lets the file go; a sqlite3 shell opens it and reads, which in WAL mode keeps a shared lock
        var database = Path.Combine(_directory.FullName, "nested", "cutover.db");
        await Store.DisposeAsync();
        var info = new System.Diagnostics.ProcessStartInfo("sqlite3", [database])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        System.Diagnostics.Process shell;
        try
        {
            shell = System.Diagnostics.Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("the sqlite3 shell is not installed (apt-get install sqlite3)");
            return;
        }

        using (shell)
        {
            await shell.StandardInput.WriteLineAsync("SELECT 'read', count(*) FROM schema_migrations;");
            await shell.StandardInput.FlushAsync(Cancel);
            Assert.StartsWith("read|", await shell.StandardOutput.ReadLineAsync(Cancel));
            await using var second = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={database}", TimeProvider.System);

            // act
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<StoreException>(() => second.MigrateAsync(Cancel));

            // assert: who holds it, at once rather than after the 30 s busy timeout
            Assert.StartsWith($"the SQLite store '{database}' is in use by another process (pid {shell.Id}): ", refused.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
            shell.StandardInput.Close();
            await shell.WaitForExitAsync(Cancel);
        }
    }

    [Fact]
    public async Task ReadUserActivityAsync_ScansTheWindowThroughTheCreatedAtIndex()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + Cutover.Store.Sqlite.SqliteStore.UserActivitySql;
        command.Parameters.AddWithValue("@from", 0L);
        command.Parameters.AddWithValue("@to", 1L);
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
    public async Task CountUsersAsync_ScansTheWindowThroughTheCreatedAtIndex_WithExcludedUsers()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "nested", "cutover.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Format(System.Globalization.CultureInfo.InvariantCulture,
            Cutover.Store.Sqlite.SqliteStore.CountUsersSql, "\n  AND from_number NOT IN (SELECT value FROM json_each(@excluded))");
        command.Parameters.AddWithValue("@from", 0L);
        command.Parameters.AddWithValue("@to", 1L);
        command.Parameters.AddWithValue("@excluded", "[\"a\"]");
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

    [Fact]
    public async Task MigrateAsync_StoreAtSchemaVersion6_AddsIdentitiesAndInbound_KeepsItsConversations()
    {
        // arrange: a file as the previous version left it, with one remembered conversation
        var database = Path.Combine(_directory.FullName, "version6.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync(Cancel);
            await ExecuteAsync(connection, SqliteMigrations.CreateTableSql);
            foreach (var (version, description, sql) in SqliteMigrations.All.Where(m => m.Version <= 6))
            {
                await ExecuteAsync(connection, sql);
                await using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_migrations VALUES ($version, $description, '2026-11-01T00:00:00Z')";
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$description", description);
                await record.ExecuteNonQueryAsync(Cancel);
            }

            await ExecuteAsync(connection,
                $"INSERT INTO cutover_conversations VALUES ('u1', 'jobs', {Now.ToUnixTimeMilliseconds()}, 'old', 41)");
        }

        await using var store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={database}", TimeProvider.System);

        // act
        var applied = await store.MigrateAsync(Cancel);
        var kept = await store.ReadConversationsAsync(0, Now.AddMinutes(-1), "nobody", 10, Cancel);
        await store.WriteConversationsAsync([new ConversationEntry("u1", string.Empty, Now, "new", Inbound: new InboundEntry("jobs", "unified", "jobs-unified", Now))], Cancel);
        await store.WriteIdentitiesAsync([new IdentityEntry("+15550001", "+15550001", 1, Now, "new")], Cancel);

        // assert
        Assert.Equal((2, 8), (applied, await store.SchemaVersionAsync(Cancel))); // 7 and queued delivery's 8
        Assert.Equal(new ConversationEntry("u1", "jobs", Now, "old", 41), Assert.Single(kept));
        var updated = Assert.Single(await store.ReadConversationsAsync(0, Now.AddMinutes(-1), "nobody", 10, Cancel));
        Assert.Equal(("jobs", 42L, "jobs-unified"), (updated.Domain, updated.Sequence, updated.Inbound?.Upstream));
        Assert.Single(await store.FindPersonAsync("+15550001", Cancel));

        static async Task ExecuteAsync(SqliteConnection connection, string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(Cancel);
        }
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
