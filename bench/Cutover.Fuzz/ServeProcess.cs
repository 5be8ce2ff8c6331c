using System.Diagnostics;

namespace Cutover.Fuzz;

/// <summary>
/// <c>cutover serve</c> (the executable copied next to this program) as its own process: its address once it
/// listens, its error log entries, and a SIGTERM on disposal.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private const string Marker = "Cutover listening on ";
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];
    private readonly Queue<string> _recent = new();
    private bool _errorContinues;

    private ServeProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The console logger's fail:/crit: entries (with the line after, which holds the message).</summary>
    public List<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>The last lines the process wrote, for a failed start.</summary>
    public string Recent
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _recent);
            }
        }
    }

    public static ServeProcess Start(string config, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "cutover.dll"), "serve", "--config", config, "--listen", "http://127.0.0.1:0" })
        {
            info.ArgumentList.Add(arg);
        }

        // Hermetic: no Cutover settings or admin token from the machine's environment.
        foreach (var key in info.Environment.Keys.Where(static k => k.StartsWith("Cutover__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("CUTOVER_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var self = new ServeProcess(process);
        process.OutputDataReceived += (_, e) => self.Line(e.Data);
        process.ErrorDataReceived += (_, e) => self.Line(e.Data);
        process.Exited += (_, _) => self._listening.TrySetException(new InvalidOperationException($"cutover exited with {process.ExitCode} before listening:\n{self.Recent}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    public Task<string> ListeningAsync(TimeSpan timeout) => _listening.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(Marker, StringComparison.Ordinal))
        {
            _listening.TrySetResult(line[Marker.Length..].Trim());
        }

        lock (_errors)
        {
            _recent.Enqueue(line);
            if (_recent.Count > KeptLines)
            {
                _recent.Dequeue();
            }

            if (_errorContinues)
            {
                _errors[^1] += " " + line.Trim();
                _errorContinues = false;
            }
            else if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            {
                _errors.Add(line.TrimEnd());
                _errorContinues = true;
            }
        }
    }
}
