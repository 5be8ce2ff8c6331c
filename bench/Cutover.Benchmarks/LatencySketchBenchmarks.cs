using BenchmarkDotNet.Attributes;
using Cutover.Core.Stats;

namespace Cutover.Benchmarks;

/// <summary>
/// What the per-minute latency rollups cost: <see cref="LatencySketch.Add"/> per forwarded webhook,
/// and, when stats are asked for, <see cref="LatencySketch.MergeEncoded"/> of one stored row (a
/// minute of about 1000 forwards, log-normal around 50 ms) and of 10,000 rows (a week of minutes).
/// </summary>
/// <remarks>
/// Target: 10,000 rows merge in well under 50 ms, so one row in a few µs. Public and not sealed for
/// BenchmarkDotNet.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class LatencySketchBenchmarks
{
    private const int ValuesPerMinute = 1000;
    private const int Rows = 10_000;

    private readonly LatencySketch _adding = new();
    private readonly LatencySketch _target = new();
    private double[] _values = [];
    private LatencySketch _minute = null!;
    private byte[] _encoded = [];
    private byte[][] _rows = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = LogNormal(random, ValuesPerMinute);
        _minute = Sketch(_values);
        _encoded = _minute.ToBytes();

        // Distinct rows, so the 10,000-row case reads 10,000 blobs from memory as a query would.
        _rows = [.. Enumerable.Range(0, Rows).Select(_ => Sketch(LogNormal(random, ValuesPerMinute)).ToBytes())];

        // Steady state: the sketches already hold buckets for the range these values fall in.
        _adding.Merge(_minute);
        _target.Merge(_minute);
        Console.WriteLine($"// one minute of {ValuesPerMinute} values: {_encoded.Length} bytes encoded; "
            + $"{Rows} rows: {_rows.Sum(static r => r.Length):N0} bytes");
    }

    [Benchmark(Description = "Add: 1 value", OperationsPerInvoke = ValuesPerMinute)]
    public long Add()
    {
        foreach (var value in _values)
        {
            _adding.Add(value);
        }

        return _adding.Count;
    }

    [Benchmark(Description = "MergeEncoded: 1 row (1000 values)")]
    public long MergeEncoded()
    {
        _target.MergeEncoded(_encoded);
        return _target.Count;
    }

    // The same merge from an object: what MergeEncoded's decoding and checks add to it.
    [Benchmark(Description = "Merge: 1 sketch (1000 values)")]
    public long Merge()
    {
        _target.Merge(_minute);
        return _target.Count;
    }

    [Benchmark(Description = "ToBytes: 1 sketch (1000 values)")]
    public byte[] ToBytes() => _minute.ToBytes();

    [Benchmark(Description = "MergeEncoded: 10,000 rows + p99")]
    public double MergeRows()
    {
        var total = new LatencySketch();
        foreach (var row in _rows)
        {
            total.MergeEncoded(row);
        }

        return total.Quantile(0.99);
    }

    private static LatencySketch Sketch(double[] values)
    {
        var sketch = new LatencySketch();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    /// <summary>Median 50 ms, σ = 0.8 in log space, as in LatencySketchTests.</summary>
    private static double[] LogNormal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ =>
            50 * Math.Exp(0.8 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
}
