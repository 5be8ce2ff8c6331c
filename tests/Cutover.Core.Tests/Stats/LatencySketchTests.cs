using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Stats;

public sealed class LatencySketchTests
{
    // A value within ~1e-15 of a bucket edge can round into the neighbouring bucket, where the
    // representative is a hair more than 1% away; this slack is for that rounding, nothing else.
    private const double EdgeSlack = 1e-12;

    private static readonly double[] SpecQuantiles = [0, 0.5, 0.95, 0.99, 1];
    private static readonly double[] Grid = [.. SpecQuantiles, .. Enumerable.Range(0, 1001).Select(static i => i / 1000.0)];

    public static TheoryData<string> Distributions => new("log-normal", "uniform", "bimodal", "constant", "single", "with zeros", "sub-millisecond");

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantile_SeededDistribution_WithinOnePercentOfExactNearestRank(string distribution)
    {
        var values = Values(distribution);
        var sketch = Build(values);
        var sorted = values.Order().ToArray();

        foreach (var q in Grid)
        {
            var estimate = sketch.Quantile(q);

            AssertWithinAccuracy(ExactQuantile(sorted, q), estimate, $"{distribution} q={q}");
            Assert.InRange(estimate, sketch.Min, sketch.Max);
        }
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void CountSumMinMax_SeededDistribution_AreExact(string distribution)
    {
        var values = Values(distribution);

        var sketch = Build(values);

        Assert.Equal(values.Length, sketch.Count);
        Assert.Equal(values.Min(), sketch.Min);
        Assert.Equal(values.Max(), sketch.Max);
        Assert.Equal(values.Sum(), sketch.Sum, 1e-12 * Math.Max(1, values.Sum()));
    }

    [Fact]
    public void Quantile_SevenHundredths_IsRankSevenNotEight()
    {
        // 0.07 × 100 is 7.000000000000001 in binary floating point; nearest rank means rank 7.
        var sketch = Build([.. Enumerable.Range(1, 100).Select(static i => (double)i)]);

        AssertWithinAccuracy(7, sketch.Quantile(0.07), "q=0.07");
        AssertWithinAccuracy(8, sketch.Quantile(0.0701), "q=0.0701");
    }

    [Fact]
    public void Quantile_ZeroAndOne_AreMinAndMaxExactly()
    {
        var sketch = Build(Values("log-normal"));

        Assert.Equal(sketch.Min, sketch.Quantile(0));
        Assert.Equal(sketch.Max, sketch.Quantile(1));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Quantile_OutsideZeroToOne_Throws(double q)
    {
        var sketch = Build([1, 2, 3]);

        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Quantile(q));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencySketch().Quantile(q));
    }

    [Fact]
    public void Empty_QuantileIsNaN_TotalsAreZero_AndRoundTrips()
    {
        var empty = new LatencySketch();

        var back = LatencySketch.FromBytes(empty.ToBytes());

        foreach (var sketch in new[] { empty, back })
        {
            Assert.True(double.IsNaN(sketch.Quantile(0.5)));
            Assert.Equal(0, sketch.Count);
            Assert.Equal(0, sketch.Sum);
            Assert.Equal(0, sketch.Min);
            Assert.Equal(0, sketch.Max);
        }

        Assert.Equal([1, 0], empty.ToBytes());
    }

    [Fact]
    public void Add_NegativeNaNAndInfinities_AreClampedIntoTheTrackableRange()
    {
        var sketch = new LatencySketch();

        sketch.Add(-5);
        sketch.Add(double.NaN);
        sketch.Add(double.NegativeInfinity);
        sketch.Add(double.PositiveInfinity);
        sketch.Add(double.MaxValue);

        Assert.Equal(5, sketch.Count);
        Assert.Equal(0, sketch.Min);
        Assert.Equal(LatencySketch.MaxTrackable, sketch.Max);
        Assert.Equal(2 * LatencySketch.MaxTrackable, sketch.Sum);
        Assert.Equal(0, sketch.Quantile(0.6));
        Assert.Equal(LatencySketch.MaxTrackable, sketch.Quantile(0.61));
        Assert.Equal(sketch.ToBytes(), LatencySketch.FromBytes(sketch.ToBytes()).ToBytes());
    }

    [Fact]
    public void Add_BelowMinTrackable_GoesToTheZeroBucketAndAnswersMin()
    {
        var sketch = Build([0.0004, 0.0002, 0.0009, 10]);

        Assert.Equal(0.0002, sketch.Quantile(0.5));
        Assert.Equal(0.0002, sketch.Quantile(0.75));
        AssertWithinAccuracy(10, sketch.Quantile(0.76), "q=0.76");
        Assert.Equal(10.0015, sketch.Sum, 1e-12);
    }

    [Fact]
    public void Mapping_EveryTrackableValue_RepresentativeWithinOnePercent()
    {
        var random = new Random(11);
        for (var i = 0; i < 200_000; i++)
        {
            // Log-uniform over the whole trackable range, plus its two ends.
            var value = i switch
            {
                0 => LatencySketch.MinTrackable,
                1 => LatencySketch.MaxTrackable,
                _ => LatencySketch.MinTrackable * Math.Pow(LatencySketch.MaxTrackable / LatencySketch.MinTrackable, random.NextDouble()),
            };

            var index = LatencySketch.IndexOf(value);

            Assert.InRange(index, LatencySketch.MinIndex, LatencySketch.MaxIndex);
            AssertWithinAccuracy(value, LatencySketch.RepresentativeOf(index), $"value {value}");
        }

        Assert.Equal(LatencySketch.MinIndex, LatencySketch.IndexOf(LatencySketch.MinTrackable));
        Assert.Equal(LatencySketch.MaxIndex, LatencySketch.IndexOf(LatencySketch.MaxTrackable));
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Merge_OfParts_AnswersAsOneSketchOfAllValues(string distribution)
    {
        var values = Values(distribution);
        var whole = Build(values);

        var merged = new LatencySketch();
        foreach (var part in Parts(values, new Random(3)))
        {
            merged.Merge(Build(part));
        }

        AssertSameAnswers(whole, merged);
    }

    [Fact]
    public void Merge_OfValuesInAnyOrder_AnswersTheSame()
    {
        // Descending values grow the bucket array downwards, ascending upwards, shuffled both ways.
        var values = Values("uniform").Concat(Values("sub-millisecond")).ToArray();
        var ascending = Build([.. values.Order()]);

        AssertSameAnswers(ascending, Build([.. values.OrderDescending()]));
        AssertSameAnswers(ascending, Build(values));
    }

    [Fact]
    public void Merge_WithEmptyAndWithItself_CountsEveryValueOnce()
    {
        var values = Values("bimodal");
        var sketch = Build(values);
        var twice = Build([.. values, .. values]);

        sketch.Merge(new LatencySketch());
        sketch.Merge(sketch);
        var fromEmpty = new LatencySketch();
        fromEmpty.Merge(sketch);

        AssertSameAnswers(twice, sketch);
        AssertSameAnswers(twice, fromEmpty);
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void MergeEncoded_SameResultAsMerge(string distribution)
    {
        var values = Values(distribution);
        var parts = Parts(values, new Random(5)).Select(Build).ToList();
        var merged = new LatencySketch();
        var mergedEncoded = new LatencySketch();

        foreach (var part in parts)
        {
            merged.Merge(part);
            mergedEncoded.MergeEncoded(part.ToBytes());
        }

        Assert.Equal(merged.ToBytes(), mergedEncoded.ToBytes());
        AssertSameAnswers(merged, mergedEncoded);
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void ToBytes_FromBytes_RoundTrips(string distribution)
    {
        var sketch = Build(Values(distribution));

        var back = LatencySketch.FromBytes(sketch.ToBytes());

        Assert.Equal(sketch.Sum, back.Sum);
        AssertSameAnswers(sketch, back);
        Assert.Equal(sketch.ToBytes(), back.ToBytes());
    }

    [Fact]
    public void ToBytes_KnownSketch_IsVersionOneLayout()
    {
        // Stored as a BLOB: this layout is what version 1 means, so changing it needs a new version.
        var sketch = Build([1, 0, 100, 1]);

        byte[] expected =
        [
            1, // version
            4, // count
            .. BitConverter.GetBytes(102.0), .. BitConverter.GetBytes(0.0), .. BitConverter.GetBytes(100.0), // sum, min, max
            1, // zero bucket
            0xDA, 0x02, 2, // bucket 0 (1 ms): delta 346 from MinIndex - 1 = -346, count 2
            0xE7, 0x01, 1, // bucket 231 (100 ms): delta 231, count 1
        ];
        Assert.True(BitConverter.IsLittleEndian);
        Assert.Equal(expected, sketch.ToBytes());
    }

    [Fact]
    public void ToBytes_TenThousandLogNormalValues_UnderTwoKilobytes()
    {
        var bytes = Build(LogNormal(new Random(1), 10_000)).ToBytes();

        Assert.True(bytes.Length < 2048, $"{bytes.Length} bytes");
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0, 0 }, "version 0")]
    [InlineData(new byte[] { 2, 0 }, "version 2")]
    [InlineData(new byte[] { 255 }, "version 255")]
    [InlineData(new byte[] { 1 }, "ends inside the count")]
    [InlineData(new byte[] { 1, 0, 0 }, "after its count")]
    [InlineData(new byte[] { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 }, "does not fit 64 bits")]
    [InlineData(new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "does not fit a long")]
    public void FromBytes_Malformed_FormatExceptionNamingTheProblem(byte[] encoded, string problem)
    {
        var error = Assert.Throws<FormatException>(() => LatencySketch.FromBytes(encoded));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_InconsistentHeaderOrBuckets_FormatException()
    {
        var valid = Build([1, 0, 100, 1]).ToBytes();

        Assert.Contains("the count is 5", Throws(With(valid, 1, 5)).Message, StringComparison.Ordinal);
        Assert.Contains("not in the highest bucket", Throws(WithDouble(valid, 18, 50.0)).Message, StringComparison.Ordinal);
        Assert.Contains("0 <= min <= max", Throws(WithDouble(valid, 10, -1.0)).Message, StringComparison.Ordinal);
        Assert.Contains("0 <= min <= max", Throws(WithDouble(valid, 18, double.NaN)).Message, StringComparison.Ordinal);
        Assert.Contains("finite number", Throws(WithDouble(valid, 2, double.PositiveInfinity)).Message, StringComparison.Ordinal);
        Assert.Contains("zero bucket holds 0", Throws(With(valid, 26, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("does not increase", Throws(With(valid, 30, 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_EveryTruncationAndEveryAppendedByte_FormatException()
    {
        foreach (var valid in new[] { Build(Values("log-normal")).ToBytes(), Build(Values("with zeros")).ToBytes(), new LatencySketch().ToBytes() })
        {
            for (var length = 0; length < valid.Length; length++)
            {
                Throws(valid[..length]);
            }

            for (var extra = 0; extra < 256; extra++)
            {
                Throws([.. valid, (byte)extra]);
                Throws([.. valid, (byte)extra, 1]);
            }
        }
    }

    [Fact]
    public void FromBytes_RandomBytes_FormatExceptionOrAConsistentSketch()
    {
        var random = new Random(17);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && i % 2 == 0)
            {
                bytes[0] = 1;
            }

            DecodeOrFormatException(bytes);
        }
    }

    [Fact]
    public void FromBytes_MutatedValidEncodings_FormatExceptionOrAConsistentSketch()
    {
        var random = new Random(23);
        var valids = new[] { Build(Values("log-normal")).ToBytes(), Build(Values("with zeros")).ToBytes(), Build([42]).ToBytes() };
        var decoded = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var mutated = valids[i % valids.Length].ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                Mutate(mutated, random);
            }

            decoded += DecodeOrFormatException([.. mutated]) ? 1 : 0;
        }

        // Nearly every mutation must be caught (74 of 5,000 decode at this seed: a sum's low bits, a
        // cut back to an empty sketch, ...); the ones that decode were checked for consistency above.
        Assert.InRange(decoded, 1, 250);
    }

    [Fact]
    public void MergeEncoded_AndAdd_IntoAWarmSketch_AllocateNothing()
    {
        // Merging 10,000 rows must stay a tight loop: an error message built per varint once cost 13 KB a row.
        var encoded = Build(Values("log-normal")).ToBytes();
        var sketch = Build(Values("log-normal"));
        sketch.MergeEncoded(encoded);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            sketch.MergeEncoded(encoded);
            sketch.Add(50);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MergeEncoded_Malformed_LeavesTheSketchAsItWas()
    {
        var sketch = Build(Values("bimodal"));
        var before = sketch.ToBytes();
        var valid = Build(Values("uniform")).ToBytes();

        Assert.Throws<FormatException>(() => sketch.MergeEncoded(valid.AsSpan(0, valid.Length - 1)));
        Assert.Throws<FormatException>(() => sketch.MergeEncoded(With(valid, 1, 0x7F)));

        Assert.Equal(before, sketch.ToBytes());
    }

    private static bool DecodeOrFormatException(byte[] bytes)
    {
        LatencySketch sketch;
        try
        {
            sketch = LatencySketch.FromBytes(bytes);
        }
        catch (Exception error)
        {
            Assert.IsType<FormatException>(error);
            Assert.StartsWith("Not a latency sketch: ", error.Message, StringComparison.Ordinal);
            return false;
        }

        // Whatever decodes must behave: quantiles within min..max, the same bytes back, merges that add up.
        foreach (var q in SpecQuantiles)
        {
            if (sketch.Count == 0)
            {
                Assert.True(double.IsNaN(sketch.Quantile(q)));
            }
            else
            {
                Assert.InRange(sketch.Quantile(q), sketch.Min, sketch.Max);
            }
        }

        // Not byte-for-byte the input: an over-long varint decodes, and is written back short.
        var canonical = sketch.ToBytes();
        Assert.Equal(canonical, LatencySketch.FromBytes(canonical).ToBytes());
        var twice = LatencySketch.FromBytes(sketch.ToBytes());
        twice.MergeEncoded(bytes);
        Assert.Equal(2 * sketch.Count, twice.Count);
        return true;
    }

    private static void Mutate(List<byte> bytes, Random random)
    {
        if (bytes.Count == 0)
        {
            bytes.Add((byte)random.Next(256));
            return;
        }

        var at = random.Next(bytes.Count);
        switch (random.Next(6))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes[at] = (byte)random.Next(256);
                break;
            case 2:
                bytes.Insert(at, (byte)random.Next(256));
                break;
            case 3:
                bytes.RemoveAt(at);
                break;
            case 4:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            default:
                bytes.InsertRange(at, bytes.Skip(random.Next(bytes.Count)).Take(random.Next(1, 8)).ToList());
                break;
        }
    }

    private static FormatException Throws(byte[] encoded) => Assert.Throws<FormatException>(() => LatencySketch.FromBytes(encoded));

    private static byte[] With(byte[] bytes, int at, byte value)
    {
        var copy = bytes.ToArray();
        copy[at] = value;
        return copy;
    }

    private static byte[] WithDouble(byte[] bytes, int at, double value)
    {
        var copy = bytes.ToArray();
        BitConverter.GetBytes(value).CopyTo(copy, at);
        return copy;
    }

    private static void AssertSameAnswers(LatencySketch expected, LatencySketch actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);

        // Floating-point addition is not associative: a sum merged from parts may differ in the last bits.
        Assert.Equal(expected.Sum, actual.Sum, 1e-12 * Math.Max(1, expected.Sum));
        foreach (var q in Grid)
        {
            Assert.Equal(expected.Quantile(q), actual.Quantile(q));
        }
    }

    private static void AssertWithinAccuracy(double exact, double estimate, string context)
    {
        if (exact == 0)
        {
            Assert.True(estimate == 0, $"{context}: {estimate} for an exact 0");
            return;
        }

        var error = Math.Abs(estimate - exact) / exact;
        Assert.True(error <= LatencySketch.RelativeAccuracy + EdgeSlack, $"{context}: {estimate} for an exact {exact}, relative error {error:P4}");
    }

    /// <summary>Nearest rank, counted independently of the sketch: rank ceil(q × n) in decimal, at least 1.</summary>
    private static double ExactQuantile(double[] sorted, double q) =>
        sorted[Math.Max(1, (int)Math.Ceiling((decimal)q * sorted.Length)) - 1];

    private static LatencySketch Build(double[] values)
    {
        var sketch = new LatencySketch();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    /// <summary>Cuts the values into 1 to 12 consecutive parts of random sizes, some empty.</summary>
    private static IEnumerable<double[]> Parts(double[] values, Random random)
    {
        var cuts = Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(values.Length + 1)).Append(0).Append(values.Length).Order().ToArray();
        for (var i = 1; i < cuts.Length; i++)
        {
            yield return values[cuts[i - 1]..cuts[i]];
        }
    }

    private static double[] Values(string distribution) => distribution switch
    {
        "log-normal" => LogNormal(new Random(1), 10_000),
        "uniform" => Uniform(new Random(2), 10_000, 1, 5_000),
        "bimodal" => Bimodal(new Random(3), 10_000),
        "constant" => [.. Enumerable.Repeat(120.0, 1_000)],
        "single" => [37.3],
        "with zeros" => [.. LogNormal(new Random(4), 8_000), .. Enumerable.Repeat(0.0, 2_000)],
        "sub-millisecond" => Uniform(new Random(5), 5_000, LatencySketch.MinTrackable, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, null),
    };

    private static double[] Uniform(Random random, int count, double from, double to) =>
        [.. Enumerable.Range(0, count).Select(_ => from + ((to - from) * random.NextDouble()))];

    /// <summary>Fast answers around 5 ms and timeouts-to-be around 2 s, 70/30, each ±10% or so.</summary>
    private static double[] Bimodal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (random.NextDouble() < 0.7 ? 5 : 2_000) * Math.Exp(0.1 * Normal(random)))];

    /// <summary>Forwarding latencies: median 50 ms, σ = 0.8 in log space (p99 about 320 ms).</summary>
    private static double[] LogNormal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => 50 * Math.Exp(0.8 * Normal(random)))];

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
