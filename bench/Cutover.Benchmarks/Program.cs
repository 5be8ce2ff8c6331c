using BenchmarkDotNet.Running;

namespace Cutover.Benchmarks;

internal static class Program
{
    // Arguments go to BenchmarkDotNet (--filter '*', --job short, --list flat, …), except --payloads,
    // which describes the generated bodies instead (sizes, updates, users, how the splits come out), and
    // --stats-data, which builds (or reports) the 10-million-decision store StatsBenchmarks reads, and
    // --ingest [--seconds 20] [--batch 1000] [--providers sqlite,postgres] [--postgres CONNECTION], which measures
    // sustained decision log ingestion per store, --wal-index [--on disk|tmpfs] [--batch 25] [--rounds 40], which
    // compares the SQLite write path with the WAL's index in the heap and in a mapped -shm file,
    // --split-users [--rows 1000000] [--minutes 1000] [--users 200000] [--reads 5] [--providers sqlite,postgres], which times the split
    // check's distinct-user count per store, and --fold-table UCD-FOLDER, which writes keyword folding's decomposition table
    // (src/Cutover.Core/Classification/CompatibilityDecompositions.cs) to standard output.
    public static void Main(string[] args)
    {
        if (args is ["--payloads"])
        {
            PayloadReport.Print(Console.Out);
            return;
        }

        // Builds StatsBenchmarks' store now (or says what is already built), so the benchmark run does not.
        if (args is ["--stats-data"])
        {
            Console.WriteLine(StatsData.EnsureBuilt(Console.Out));
            return;
        }

        // Sustained decision log ingestion per store (SQLite and PostgreSQL), outside BenchmarkDotNet: see IngestionRun.
        if (args is ["--ingest", .. var rest])
        {
            Environment.ExitCode = IngestionRun.RunAsync(rest, Console.Out).GetAwaiter().GetResult();
            return;
        }

        // The SQLite write path, wal-index in the heap against a mapped -shm, interleaved: see WalIndexRun.
        if (args is ["--wal-index", .. var options])
        {
            Environment.ExitCode = WalIndexRun.RunAsync(options, Console.Out).GetAwaiter().GetResult();
            return;
        }

        // The split check's distinct-user count over a window of a million decisions, per store: see SplitUsersRun.
        if (args is ["--split-users", .. var splitOptions])
        {
            Environment.ExitCode = SplitUsersRun.RunAsync(splitOptions, Console.Out).GetAwaiter().GetResult();
            return;
        }

        if (args is ["--fold-table", var ucdFolder])
        {
            Environment.ExitCode = FoldTableGenerator.Run(ucdFolder, Console.Out, Console.Error);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
