using BenchmarkDotNet.Running;

namespace Cutover.Benchmarks;

internal static class Program
{
    // Arguments go to BenchmarkDotNet: --filter '*', --job short, --list flat, …
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
