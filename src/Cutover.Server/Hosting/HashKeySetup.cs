using System.Security.Cryptography;
using System.Text;
using Cutover.Core.Privacy;
using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Hosting;

/// <summary>
/// Chooses, once at start-up, the key that user keys and message ids are hashed with. The key never sits in the
/// store beside the hashes it protects: anyone holding the database could otherwise reverse a hash by trying every
/// phone number of a known prefix (a million HMACs take under two seconds).
/// <list type="number">
/// <item><c>Privacy:HashKey</c> when it is set.</item>
/// <item>Else, with a SQLite file, the key file beside it (<see cref="HashKeyFile"/>), made on first start.</item>
/// <item>Else, with PostgreSQL, none: start-up is refused. Instances must share the key, and the database is the one
/// place they share.</item>
/// <item>An in-memory SQLite database has no file: a key for this run only (its data lives no longer).</item>
/// </list>
/// Versions before this one kept a generated key in the store (secret <see cref="StoredSecret"/>). On SQLite it is
/// moved into the key file, so stored hashes stay comparable; anywhere else it is deleted, and the log says that
/// hashes made with it no longer match.
/// </summary>
internal sealed class HashKeySetup(IStoreDatabase store, ISecretStore secrets, ILogger logger)
{
    /// <summary>The name under which older versions kept the generated key in the store.</summary>
    public const string StoredSecret = "user_key_hash";

    public async Task<UserKeyHasher> LoadAsync(PrivacyOptions privacy, CancellationToken cancellationToken)
    {
        var hashed = privacy.UserKeys != UserKeysMode.Raw;
        if (hashed && privacy.HashKey is null && store.FilePath is null && store.Provider == StoreFactory.Postgres)
        {
            // Configuration validation refuses this first; checked again before anything stored is touched, since the
            // message promises that an old stored key stays until a key is configured.
            throw new OptionsValidationException(Options.DefaultName, typeof(CutoverOptions), [CutoverOptionsRulesValidator.PostgresNeedsHashKey]);
        }

        var stored = await secrets.ReadSecretAsync(StoredSecret, cancellationToken);
        if (privacy.HashKey is { } configured)
        {
            if (stored is not null)
            {
                await ForgetStoredAsync("Privacy:HashKey is set, so hashes stored with the old key no longer match new ones", cancellationToken);
            }

            return Use(hashed, Encoding.UTF8.GetBytes(configured), "from Cutover:Privacy:HashKey");
        }

        if (store.FilePath is { } database)
        {
            if (!hashed && stored is null)
            {
                return UserKeyHasher.Raw;
            }

            var path = HashKeyFile.PathFor(database);
            var (key, made, loosened) = await HashKeyFile.LoadOrCreateAsync(path, stored, cancellationToken);
            if (loosened is not null)
            {
                LogMessages.HashKeyFileModeFixed(logger, path, loosened);
            }

            if (stored is not null)
            {
                // The file first, then the delete: a start stopped in between finds both, the same key, and finishes.
                await secrets.DeleteSecretAsync(StoredSecret, cancellationToken);
                if (!stored.AsSpan().SequenceEqual(key))
                {
                    LogMessages.StoredHashKeyDeleted(logger, store.Provider,
                        $"the key file {path} holds another key, so hashes stored with the old key no longer match new ones");
                }
            }

            return Use(hashed, key, $"in the file {path} (owner-only; "
                + (stored is not null ? "moved there from the store" : made ? "made now: back it up apart from the database" : "found") + ")");
        }

        // No file to keep a key in: raw user keys on PostgreSQL, or an in-memory SQLite database.
        if (stored is not null)
        {
            await ForgetStoredAsync("Privacy:HashKey is not set, so hashes stored with the old key can no longer be matched to users", cancellationToken);
        }

        if (!hashed)
        {
            return UserKeyHasher.Raw;
        }

        LogMessages.HashKeyEphemeral(logger);
        return UserKeyHasher.Keyed(RandomNumberGenerator.GetBytes(HashKeyFile.KeyBytes));
    }

    private UserKeyHasher Use(bool hashed, byte[] key, string where)
    {
        if (!hashed)
        {
            return UserKeyHasher.Raw;
        }

        LogMessages.HashKeyInUse(logger, where);
        return UserKeyHasher.Keyed(key);
    }

    private async Task ForgetStoredAsync(string consequence, CancellationToken cancellationToken)
    {
        await secrets.DeleteSecretAsync(StoredSecret, cancellationToken);
        LogMessages.StoredHashKeyDeleted(logger, store.Provider, consequence);
    }
}
