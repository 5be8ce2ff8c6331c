using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Cutover.Server.Hosting;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.Server.Tests.Hosting;

/// <summary>
/// Where the hashing key of a SQLite deployment lives when <c>Privacy:HashKey</c> is not set: in an owner-only file
/// beside the database, never in it; and what becomes of the key older versions kept in the store.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed class HashKeyTests : IAsyncLifetime
{
    private const string User = "250788000042";
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Database => Path.Combine(_directory.FullName, "cutover.db");

    private string KeyFile => Path.Combine(_directory.FullName, "cutover.hashkey");

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _directory = Directory.CreateTempSubdirectory("cutover-hashkey-");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Start_NoHashKey_KeyFileOwnerOnlyBesideTheDatabase_KeyNowhereInIt()
    {
        // act
        var stored = await PostOneAsync(configure: null);

        // assert: the key is in its own file, owner-only, and is the key the stored hashes were made with
        Assert.True(File.Exists(KeyFile), $"no key file at {KeyFile}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        var key = Convert.FromHexString((await File.ReadAllTextAsync(KeyFile, Cancel)).Trim());
        Assert.Equal(32, key.Length);
        Assert.Equal((UserHash(key, User), MessageIdHash(key, stored.MessageId)), (stored.UserKey, stored.StoredMessageId));

        // ... and not in the database: neither its bytes nor its hex in the main file or the WAL, no stored secret
        var files = await ReadDatabaseFilesAsync();
        Assert.False(files.AsSpan().IndexOf(key) >= 0, "the key's bytes are in the database files");
        Assert.False(files.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key))) >= 0, "the key's hex is in the database files");
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM cutover_secrets"));
    }

    [Fact]
    public async Task Restart_ReadsTheSameKeyFile_SameHashes()
    {
        var first = await PostOneAsync(configure: null);
        var key = await File.ReadAllBytesAsync(KeyFile, Cancel);

        var second = await PostOneAsync(configure: null);

        Assert.Equal(key, await File.ReadAllBytesAsync(KeyFile, Cancel));
        Assert.Equal(first.UserKey, second.UserKey);
        Assert.Equal(UserHash(Convert.FromHexString(Encoding.ASCII.GetString(key).Trim()), User), second.UserKey);
    }

    [Fact]
    public async Task Start_StoreHoldsTheKeyAnEarlierVersionMade_MovedToTheKeyFile_HashesUnchanged_GoneFromTheDatabase()
    {
        // arrange: a store as earlier versions left it, the generated key in cutover_secrets
        byte[] old;
        await using (var store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Database}", TimeProvider.System))
        {
            await store.MigrateAsync(Cancel);
            old = await store.GetOrCreateSecretAsync("user_key_hash", 32, Cancel);
        }

        // act
        var stored = await PostOneAsync(configure: null);

        // assert: hashes as before the upgrade, the key moved to its file, and no copy left in the database files
        Assert.Equal(UserHash(old, User), stored.UserKey);
        Assert.Equal(Convert.ToHexStringLower(old), (await File.ReadAllTextAsync(KeyFile, Cancel)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM cutover_secrets"));
        Assert.False((await ReadDatabaseFilesAsync()).AsSpan().IndexOf(old) >= 0, "the old key's bytes are still in the database files");
    }

    [Fact]
    public async Task Start_KeyFileReadableByOthers_UsedAndMadeOwnerOnly()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await File.WriteAllTextAsync(KeyFile, Convert.ToHexStringLower(key) + "\n", Cancel);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var stored = await PostOneAsync(configure: null);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Equal(UserHash(key, User), stored.UserKey);
    }

    [Fact]
    public async Task Start_KeyFileHoldsNoKey_RefusedNamingTheFileNotItsContent()
    {
        await File.WriteAllTextAsync(KeyFile, "not-a-key-but-a-secret-looking-thing", Cancel);

        var ex = await Assert.ThrowsAsync<StoreException>(() => StartAsync(configure: null));

        Assert.Contains(KeyFile, ex.Message);
        Assert.Contains("64 hex digits expected", ex.Message);
        Assert.DoesNotContain("secret-looking", ex.Message);
    }

    [Fact]
    public async Task Start_HashKeyConfigured_KeyAnEarlierVersionStoredIsDeleted_NoKeyFile()
    {
        await using (var store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Database}", TimeProvider.System))
        {
            await store.MigrateAsync(Cancel);
            await store.GetOrCreateSecretAsync("user_key_hash", 32, Cancel);
        }

        var stored = await PostOneAsync(static s => s["Cutover:Privacy:HashKey"] = "configured-key-0123456789");

        Assert.Equal(UserHash(Encoding.UTF8.GetBytes("configured-key-0123456789"), User), stored.UserKey);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM cutover_secrets"));
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public async Task Start_RawUserKeys_NoKeyFileMade_IdsKeptAsReceived()
    {
        var stored = await PostOneAsync(static s => s["Cutover:Privacy:UserKeys"] = "raw");

        Assert.Equal((User, stored.MessageId), (stored.UserKey, stored.StoredMessageId));
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public void KeyFile_ReplacesTheDatabaseExtension_SoCopiesOfTheDatabaseFilesLeaveItOut()
    {
        Assert.Equal("/data/cutover.hashkey", HashKeyFile.PathFor("/data/cutover.db"));
        Assert.Equal("/data/routing.hashkey", HashKeyFile.PathFor("/data/routing"));
        Assert.Equal("/data/odd.hashkey.hashkey", HashKeyFile.PathFor("/data/odd.hashkey"));
    }

    private static string UserHash(byte[] key, string userKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(userKey))[..16]);

    private static string MessageIdHash(byte[] key, string messageId) =>
        UserHash(HMACSHA256.HashData(key, "cutover:message-id"u8), messageId);

    private Task<RouterHarness> StartAsync(Action<Dictionary<string, string?>>? configure) =>
        RouterHarness.StartAsync(_upstreams, s =>
        {
            s["Cutover:Store:ConnectionString"] = $"Data Source={Database}";
            configure?.Invoke(s);
        }, cancellationToken: Cancel);

    /// <summary>Starts a router on the test's database, sends one message from <see cref="User"/>, and stops it.</summary>
    private async Task<(string? UserKey, string MessageId, string? StoredMessageId)> PostOneAsync(Action<Dictionary<string, string?>>? configure)
    {
        await using var router = await StartAsync(configure);
        var message = Msg.Text(User, "job");
        using var response = await router.PostWebhookAsync(WebhookBuilder.Of(message));
        await router.WaitForDecisionsAsync(1);
        var decision = (await router.DecisionsAsync(1))[0];
        return (decision.UserKey, message.MessageId, decision.MessageId);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    private async Task<byte[]> ReadDatabaseFilesAsync()
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(_directory.FullName, "cutover.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, Cancel);
            bytes.AddRange(content);
        }

        return [.. bytes];
    }
}
