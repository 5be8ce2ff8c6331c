using System.Diagnostics;
using Npgsql;

namespace Cutover.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, pg_ctl on a free loopback port, fsync off.
/// Run as root, the server runs as the postgres user (initdb refuses root). <see cref="StopAsync"/> and
/// <see cref="StartAsync"/> keep the folder and the port, so a test can take the database away and bring it back.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>
    /// Where the binaries are: <c>CUTOVER_PG_BIN</c>, else Debian's PostgreSQL 15, else the newest Debian version
    /// installed (CI installs whatever <c>postgresql</c> brings on a new machine).
    /// </summary>
    public static readonly string BinDirectory = FindBinDirectory();

    private static int _databases;

    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _running;
    private bool _disposed;

    private PostgresCluster(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Why no cluster can be started here, or null when the binaries are present.</summary>
    public static string? Unavailable() =>
        File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"))
            ? null
            : $"PostgreSQL binaries not found in {BinDirectory} (set CUTOVER_PG_BIN, or apt-get install -y postgresql-15)";

    public static async Task<PostgresCluster> StartNewAsync(CancellationToken cancellationToken)
    {
        if (Unavailable() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        // Short path: the server's Unix socket goes here (-k), and a socket path has at most 107 bytes.
        var directory = Directory.CreateDirectory(Path.Combine("/tmp", $"pgtest-{Guid.NewGuid():N}"[..15])).FullName;
        var cluster = new PostgresCluster(directory, FreePort.Next());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres:postgres", directory], directory, cancellationToken);
            }

            await cluster.RunPostgresToolAsync("initdb",
                ["-D", cluster.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], cancellationToken);
            await cluster.StartAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The connection string of <paramref name="database"/> as the superuser. Connecting may wait 30 s: at load 20
    /// (CI beside other builds) a new backend took more than 5 s to answer, and a test failed on that alone.
    /// </summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=30;Command Timeout=60";

    /// <summary>A new, empty database of its own: its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"cutover_test_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false"))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return ConnectionString(name);
    }

    /// <summary>
    /// Stops the server: every connection is cut, as when a database goes away. Data and port are kept. Fast mode,
    /// not immediate: with synchronous_commit off an immediate stop loses the last commits, which would make a test
    /// of "the data is still there afterwards" fail for the wrong reason.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => StopAsync("fast", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync("immediate", CancellationToken.None);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A server process still exiting may hold a file for a moment; /tmp is cleaned anyway.
            }
        }
    }

    /// <summary>Starts the server on the same folder and port and waits until it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_running)
            {
                await RunPostgresToolAsync("pg_ctl",
                [
                    "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30",
                    "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                    "start",
                ], cancellationToken);
                _running = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopAsync(string mode, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running)
            {
                await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "30", "stop"], cancellationToken);
                _running = false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("CUTOVER_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        const string Preferred = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(Preferred, "initdb")) || !Directory.Exists("/usr/lib/postgresql"))
        {
            return Preferred;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(static d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
            .Where(static c => c.Version > 0 && File.Exists(Path.Combine(c.Bin, "initdb")))
            .OrderByDescending(static c => c.Version)
            .Select(static c => c.Bin)
            .FirstOrDefault() ?? Preferred;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(BinDirectory, tool);
        return IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments], _directory, cancellationToken)
            : RunAsync(executable, arguments, _directory, cancellationToken);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            // postgres must be able to enter the working directory (root's home is closed to it).
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
