using System.Globalization;

namespace Cutover.Store.Sqlite;

/// <summary>
/// Which other process holds a SQLite file, for the error that says so: one that took it with the <c>unix-excl</c> VFS
/// (a write lock on SQLite's shared-lock range, for as long as it runs), or an ordinary connection to a WAL database,
/// which keeps a read lock on that range for as long as it is open (a <c>sqlite3</c> shell, a server of an earlier
/// version). Linux only, best effort: /proc/locks lists every POSIX lock with its owner's pid, and the owner's
/// /proc/PID/fd tells whether it is this file (the lock line names the file by inode, which .NET does not expose).
/// </summary>
internal static class SqliteLockHolder
{
    // SQLite's shared-lock range: bytes 0x40000002 (PENDING_BYTE + 2) to 0x40000002 + 509.
    private const string RangeStart = "1073741826";
    private const string RangeEnd = "1073742335";

    /// <returns>The pid, or null when it cannot be told (not Linux, no such lock, a process this user may not inspect).</returns>
    public static int? Find(string fullPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                // "1: POSIX  ADVISORY  WRITE 17116 fe:00:11657712 1073741826 1073742335"; waiters have "->" after the number.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length == 8 && fields[1] == "POSIX" && fields[3] is "WRITE" or "READ" && fields[6] == RangeStart && fields[7] == RangeEnd
                    && int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId
                    && HasOpen(pid, fullPath))
                {
                    return pid;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static bool HasOpen(int pid, string fullPath)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd"))
            {
                if (new FileInfo(fd).LinkTarget == fullPath)
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile, or another user's process.
        }

        return false;
    }
}
