using BenchmarkDotNet.Running;

namespace Cutover.Benchmarks;

internal static class Program
{
    // Arguments go to BenchmarkDotNet (--filter '*', --job short, --list flat, …), except --payloads,
    // which describes the generated bodies instead (sizes, updates, users, how the splits come out).
    public static void Main(string[] args)
    {
        if (args is ["--payloads"])
        {
            PayloadReport.Print(Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
