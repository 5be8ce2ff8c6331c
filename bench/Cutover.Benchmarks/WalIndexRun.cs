using System.Diagnostics;
using System.Globalization;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;

namespace Cutover.Benchmarks;

/// <summary>
/// The decision log's SQLite write path with the WAL's index in the process's heap (the store's <c>unix-excl</c> VFS,
/// the default) against the same store with <c>Vfs=unix</c> (the index in a <c>-shm</c> file mapped into memory, as
/// before issue 13), in one process: rounds of N batches on each store in turn, the order swapped every round, and the
/// median CPU time and wall time a batch of each.
/// </summary>
/// <remarks>
/// Not a BenchmarkDotNet case: on the shared 2-core machine the wall time of one short job moves by more than the
/// difference looked for (the short job's medians came out either way round in three runs). The process's CPU time
/// of many batches, interleaved with the other store's, is what a busy neighbour disturbs least.
/// </remarks>
internal static class WalIndexRun
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var on = Value(args, "--on") ?? "disk";
        var batchSize = int.Parse(Value(args, "--batch") ?? "25", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Value(args, "--rounds") ?? "40", CultureInfo.InvariantCulture);
        var batches = Math.Max(5, 5_000 / batchSize);
        var root = on == "tmpfs"
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", "cutover-walindex-" + Guid.NewGuid().ToString("N"))).FullName
            : Directory.CreateTempSubdirectory("cutover-walindex-").FullName;
        (string Name, ICutoverStore Store)[] stores =
        [
            ("heap (unix-excl)", StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(root, "heap.db")}", TimeProvider.System)),
            ("mapped -shm (unix)", StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(root, "shm.db")};Vfs=unix", TimeProvider.System)),
        ];
        try
        {
            var records = Records(batchSize);
            foreach (var (_, store) in stores)
            {
                await store.MigrateAsync(CancellationToken.None);
                for (var i = 0; i < batches; i++)
                {
                    await store.WriteDecisionsAsync(records, CancellationToken.None);
                }
            }

            var cpu = stores.Select(static _ => new List<double>()).ToArray();
            var wall = stores.Select(static _ => new List<double>()).ToArray();
            using var process = Process.GetCurrentProcess();
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < stores.Length; k++)
                {
                    var which = round % 2 == 0 ? k : stores.Length - 1 - k;
                    process.Refresh();
                    var cpuBefore = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < batches; i++)
                    {
                        await stores[which].Store.WriteDecisionsAsync(records, CancellationToken.None);
                    }

                    process.Refresh();
                    cpu[which].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / batches);
                    wall[which].Add(clock.Elapsed.TotalMicroseconds / batches);
                }
            }

            output.WriteLine($"On {on}, {batchSize} records a batch, {rounds} rounds of {batches} batches per store, interleaved:");
            for (var k = 0; k < stores.Length; k++)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {stores[k].Name,-20} CPU median {Median(cpu[k]),9:F1} µs a batch   wall median {Median(wall[k]),9:F1} µs a batch"));
            }

            return 0;
        }
        finally
        {
            foreach (var (_, store) in stores)
            {
                await store.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Records like the ones <see cref="DecisionLogBenchmarks"/> writes.</summary>
    private static DecisionRecord[] Records(int count)
    {
        var records = new DecisionRecord[count];
        for (var i = 0; i < count; i++)
        {
            var user = "2507" + (10_000_000 + (i * 7919 % 100_000)).ToString(CultureInfo.InvariantCulture);
            records[i] = new DecisionRecord(
                BenchRouting.Now, Guid.CreateVersion7(BenchRouting.Now).ToString("N"),
                "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", user, UpdateKind.Message,
                "marketplace", ClassificationRule.Keyword, i % 10_000, Route.Legacy, "marketplace", "marketplace", true, 200, 0.42, null,
                false);
        }

        return records;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
