using System.Diagnostics;
using System.Text;

namespace Cutover.EndToEnd.Tests.Support;

/// <summary>The real <c>cutover</c> executable (copied next to the tests) run as a separate process.</summary>
public sealed class CutoverProcess : IAsyncDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "cutover.dll");
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CutoverProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public static CutoverProcess Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Hermetic: no Cutover settings or admin token leak in from the machine running the tests.
        foreach (var key in info.Environment.Keys.Where(static k => k.StartsWith("Cutover__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("CUTOVER_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var self = new CutoverProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (self._out)
            {
                self._out.AppendLine(e.Data);
            }

            const string marker = "Cutover listening on ";
            if (e.Data.StartsWith(marker, StringComparison.Ordinal))
            {
                self._listening.TrySetResult(e.Data[marker.Length..].Trim());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (self._error)
                {
                    self._error.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => self._listening.TrySetException(new InvalidOperationException($"cutover exited with {process.ExitCode} before listening:\n{self.Output}\n{self.Error}"));
        return self;
    }

    /// <summary>Runs a verb to completion and returns its exit code (output in <see cref="Output"/> and <see cref="Error"/>).</summary>
    public static async Task<CutoverProcess> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var process = Start(workingDirectory, args);
        await process.WaitForExitAsync(timeout);
        return process;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the process has ended (for a process killed by a signal, <see cref="ExitCode"/> is 128 + the signal).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The address `serve` prints once it listens.</summary>
    public Task<string> ListeningAsync(TimeSpan timeout) => _listening.Task.WaitAsync(timeout);

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cutover did not exit within {timeout}:\n{Output}\n{Error}");
        }
    }

    /// <summary>Asks the process to stop as an operator's Ctrl+C or a service manager would (SIGTERM).</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await WaitForExitAsync(timeout);
    }

    /// <summary>Kills the process with SIGKILL, as a crash or the OOM killer would: nothing runs on the way out.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    // Never a blocking wait here: the caller may be running on a socket engine thread (socket completions inline, as the
    // tests run them), and a blocking wait there can starve the very reads that end it (this process's own output).
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
