using System.Security.Cryptography;
using System.Text;
using Cutover.Store;

namespace Cutover.Server.Hosting;

/// <summary>
/// The hashing key of a SQLite deployment without <c>Privacy:HashKey</c>: 32 random bytes written as 64 hex digits
/// into a file of its own beside the database, readable by its owner only. Whoever gets the database file (a backup,
/// a copy for an analyst, a support ticket) gets the hashes without the key that would reverse them.
/// </summary>
/// <remarks>
/// Instances sharing one database file may start at the same moment: the file is created exclusively (O_EXCL), so one
/// of them makes the key and the others read it. A reader can catch the maker between creating the file and writing
/// the key (the file is then empty, or still locked), so it reads again for a short while. Writing to a temporary file
/// and renaming would not do: .NET's rename without overwrite checks and renames in two steps, so two makers could
/// both succeed, each keeping a different key.
/// </remarks>
internal static class HashKeyFile
{
    public const string Extension = ".hashkey";
    public const int KeyBytes = 32;

    private const int ReadAttempts = 50;
    private const UnixFileMode ByOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly TimeSpan ReadPause = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// <c>cutover.db</c> → <c>cutover.hashkey</c>. The extension is replaced, not appended, so that <c>cutover.db*</c>
    /// (the database and its WAL, which are copied together) does not take the key along.
    /// </summary>
    public static string PathFor(string databaseFile)
    {
        var path = Path.ChangeExtension(databaseFile, Extension);
        return path == databaseFile ? databaseFile + Extension : path;
    }

    /// <summary>
    /// The key in the file at <paramref name="path"/>. When there is none, the file is made with <paramref name="initial"/>
    /// (a key to carry over) or a new random key. A file others could read is made owner-only first.
    /// </summary>
    /// <returns>The key; whether this call made the file; the mode the file had when others could read it, else null.</returns>
    /// <exception cref="StoreException">The file cannot be made, read or made owner-only, or holds no key.</exception>
    public static async Task<(byte[] Key, bool Made, string? LoosenedMode)> LoadOrCreateAsync(
        string path, byte[]? initial, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            var key = initial ?? RandomNumberGenerator.GetBytes(KeyBytes);
            if (TryCreate(path, key))
            {
                return (key, true, null);
            }
        }

        var loosened = RestrictToOwner(path);
        return (await ReadAsync(path, cancellationToken), false, loosened);
    }

    /// <summary>Makes the file with the key: false when it exists already (another instance made it first).</summary>
    private static bool TryCreate(string path, byte[] key)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only from the start: a chmod after creating would leave a moment when others could open it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot make the hashing key file {path}: {ex.Message} (or set Privacy:HashKey)", ex);
        }

        try
        {
            using (stream)
            {
                // One write of 65 bytes: a reader sees the file empty or whole.
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key) + "\n"));
                stream.Flush(flushToDisk: true);
            }
        }
        catch (IOException ex)
        {
            // An empty or partial file would stop every later start: leave none.
            File.Delete(path);
            throw new StoreException($"cannot write the hashing key file {path}: {ex.Message}", ex);
        }

        return true;
    }

    /// <summary>Takes group and other permissions away: the mode the file had when it had any, else null.</summary>
    private static string? RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ByOthers) == 0)
            {
                return null;
            }

            File.SetUnixFileMode(path, mode & ~ByOthers);
            return Convert.ToString((int)mode, 8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(
                $"the hashing key file {path} can be read by others and cannot be made owner-only ({ex.Message}): "
                + "chown it to the user Cutover runs as and chmod 600 it", ex);
        }
    }

    private static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string text;
            try
            {
                text = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            }
            catch (IOException) when (attempt < ReadAttempts && File.Exists(path))
            {
                // Locked by the instance that is making it.
                await Task.Delay(ReadPause, cancellationToken);
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StoreException($"cannot read the hashing key file {path}: {ex.Message}", ex);
            }

            if (text.Length == 0 && attempt < ReadAttempts)
            {
                // Made by another instance, which has not written the key yet.
                await Task.Delay(ReadPause, cancellationToken);
                continue;
            }

            return Parse(path, text);
        }
    }

    private static byte[] Parse(string path, string text)
    {
        // Never the content in the message: it is the key, or what stands in its place.
        if (text.Length >= 32 && text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(text);
        }

        throw new StoreException(
            $"the hashing key file {path} holds no key ({text.Length} characters; 64 hex digits expected): restore it from your backup, "
            + "or delete it to have a new key made (hashes stored before then no longer match new ones)");
    }
}
