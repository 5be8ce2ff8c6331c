using System.Diagnostics;
using System.Globalization;
using Cutover.Testing;
using Cutover.Testing.Fuzz;

namespace Cutover.Fuzz;

/// <summary>
/// The long fuzz run of issue 13: <c>--mutations</c> grammar-aware mutations of real webhooks (the same mutator and
/// checker as the suite's WebhookFuzzTests), signed, through a real <c>cutover serve</c> on loopback to real Kestrel
/// upstreams. Prints progress, answers by status, cases by mutation, failures by class, rate and the server's RSS;
/// exits 1 on any failure, 64 on a bad argument.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: Cutover.Fuzz [--mutations N] [--seed S] [--concurrency C] [--first I] [--only I] [--show I] [--generate-only] [--flaky-unified SHARE] [--report FILE] [--cases-per-class N]";

    public static async Task<int> Main(string[] args)
    {
        if (!Options.TryParse(args, out var options, out var problem))
        {
            await Console.Error.WriteLineAsync($"{problem}\n{Usage}");
            return 64;
        }

        // What case I is, without sending it: the mutations, the expected answer, the signature and the body.
        if (options.Show is { } show)
        {
            var c = new WebhookMutator(options.Seed, FuzzServer.AppSecret).Create(show);
            Console.WriteLine(c.Describe());
            Console.WriteLine($"X-Hub-Signature-256: {(c.Signatures.Count == 0 ? "(none)" : string.Join(" | ", c.Signatures))}");
            Console.WriteLine($"body ({c.Body.Length} bytes): {WebhookMutator.Excerpt(c.Body, 0, 8192)}");
            return 0;
        }

        // How fast the mutator alone makes cases (no server): the ceiling of a run's rate.
        if (options.GenerateOnly)
        {
            var generator = new WebhookMutator(options.Seed, FuzzServer.AppSecret);
            var timer = Stopwatch.StartNew();
            long bytes = 0;
            var slowest = (Index: -1, Ms: 0.0);
            for (var i = options.First; i < options.First + options.Mutations; i++)
            {
                var started = timer.Elapsed.TotalMilliseconds;
                bytes += generator.Create(i).Body.Length;
                var took = timer.Elapsed.TotalMilliseconds - started;
                slowest = took > slowest.Ms ? (i, took) : slowest;
            }

            Console.WriteLine($"{options.Mutations} cases, {bytes / (1024.0 * 1024):F0} MB, in {timer.Elapsed.TotalSeconds:F1} s: {options.Mutations / timer.Elapsed.TotalSeconds:F0} cases/s; slowest #{slowest.Index} {slowest.Ms:F0} ms");
            return 0;
        }

        await using var upstreams = await RecordingUpstreams.StartAsync();
        if (options.FlakyUnified > 0)
        {
            upstreams.FailShare("unified", options.FlakyUnified, 500);
        }

        var directory = Directory.CreateTempSubdirectory("cutover-fuzz-");
        try
        {
            return await RunAsync(options, upstreams, directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(Options options, RecordingUpstreams upstreams, string directory)
    {
        var config = FuzzServer.WriteConfig(directory, upstreams);
        await using var server = ServeProcess.Start(config, directory);
        var address = new Uri(await server.ListeningAsync(TimeSpan.FromSeconds(60)));
        await FuzzServer.RouteHalfAsync(address, CancellationToken.None);

        var mutator = new WebhookMutator(options.Seed, FuzzServer.AppSecret);
        var checker = new DeliveryChecker(FuzzServer.AppSecret, RecordingUpstreams.Names, new Uri(upstreams.Address).Authority);
        using var runner = new FuzzRunner(address, upstreams, mutator, checker);

        if (options.Only is { } only)
        {
            // With the end-of-run checks, so a request smuggled behind the case's forward shows too.
            await runner.RunCaseAsync(mutator.Create(only), CancellationToken.None);
            await runner.FinishAsync(() => !server.HasExited, () => server.Errors, CancellationToken.None);
            Console.WriteLine(runner.Report.Format(TimeSpan.Zero, int.MaxValue));
            Console.WriteLine(runner.Report.Failures == 0 ? $"case #{only}: passed" : $"case #{only}: {runner.Report.Failures} failure(s)");
            return runner.Report.Failures == 0 ? 0 : 1;
        }

        var rssStart = FuzzServer.RssBytes(server.Id);
        Console.WriteLine($"cutover serve at {address} (pid {server.Id}, RSS {Mb(rssStart)}), upstreams at {upstreams.Address}"
            + (options.FlakyUnified > 0 ? $", unified answers 500 to {options.FlakyUnified:P1} of its requests" : string.Empty));
        Console.WriteLine($"seed {options.Seed}, cases {options.First}..{options.First + options.Mutations - 1}, {options.Concurrency} senders; load: {Load()}");

        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var progress = ProgressAsync(runner.Report, server, clock, stop.Token);
        await runner.RunAsync(options.First, options.Mutations, options.Concurrency, CancellationToken.None);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await progress;
        var rssEnd = FuzzServer.RssBytes(server.Id);
        await runner.FinishAsync(() => !server.HasExited, () => server.Errors, CancellationToken.None);

        var report = runner.Report.Format(elapsed, int.MaxValue);
        var path = Path.GetFullPath(options.Report ?? $"fuzz-report-{options.Seed}.txt");
        await File.WriteAllTextAsync(path, report + "\n" + runner.Report.VariantTable());
        Console.WriteLine();
        Console.WriteLine(runner.Report.Format(elapsed, options.CasesPerClass));
        Console.WriteLine(runner.Report.VariantTable());
        Console.WriteLine($"{options.Mutations} mutations in {elapsed.TotalSeconds:F1} s: {options.Mutations / elapsed.TotalSeconds:F0} mutations/s with {options.Concurrency} senders");
        Console.WriteLine($"server RSS: {Mb(rssStart)} at start, {Mb(rssEnd)} at the end; load: {Load()}");
        Console.WriteLine($"full report (every failing case): {path}");
        var failed = runner.Report.Failures > 0;
        Console.WriteLine(failed ? $"FAILED: {runner.Report.Failures} failures in {runner.Report.FailuresByClass.Count} classes" : "PASSED: no failures");
        return failed ? 1 : 0;
    }

    private static async Task ProgressAsync(FuzzReport report, ServeProcess server, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {report.Totals()}; {report.Cases / clock.Elapsed.TotalSeconds:F0}/s; RSS {Mb(FuzzServer.RssBytes(server.Id))}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Mb(long? bytes) => bytes is { } b ? $"{b / (1024.0 * 1024):F0} MB" : "?";

    private static string Load()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Options(int Mutations, int Seed, int Concurrency, int First, int? Only, int? Show, double FlakyUnified, string? Report, int CasesPerClass, bool GenerateOnly = false)
    {
        public static bool TryParse(string[] args, out Options options, out string problem)
        {
            options = new Options(100_000, 20261113, 4, 0, null, null, 0, null, 20);
            problem = string.Empty;
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                if (name == "--generate-only")
                {
                    options = options with { GenerateOnly = true };
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    problem = $"{name} needs a value";
                    return false;
                }

                var value = args[++i];
                var isInt = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number);
                switch (name)
                {
                    case "--mutations" when isInt && number > 0:
                        options = options with { Mutations = number };
                        break;
                    case "--seed" when isInt:
                        options = options with { Seed = number };
                        break;
                    case "--concurrency" when isInt && number is > 0 and <= 64:
                        options = options with { Concurrency = number };
                        break;
                    case "--first" when isInt && number >= 0:
                        options = options with { First = number };
                        break;
                    case "--only" when isInt && number >= 0:
                        options = options with { Only = number };
                        break;
                    case "--show" when isInt && number >= 0:
                        options = options with { Show = number };
                        break;
                    case "--cases-per-class" when isInt && number >= 0:
                        options = options with { CasesPerClass = number };
                        break;
                    case "--flaky-unified" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and < 1:
                        options = options with { FlakyUnified = share };
                        break;
                    case "--report":
                        options = options with { Report = value };
                        break;
                    default:
                        problem = $"bad argument: {name} {value}";
                        return false;
                }
            }

            return true;
        }
    }
}
