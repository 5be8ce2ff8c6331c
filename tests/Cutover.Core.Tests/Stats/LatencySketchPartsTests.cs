using Cutover.Core.Stats;

namespace Cutover.Core.Tests.Stats;

/// <summary>The parts API a store uses to keep a sketch in a form its SQL can merge (PostgreSQL's rollups).</summary>
public sealed class LatencySketchPartsTests
{
    [Fact]
    public void FromParts_PartsOfASketch_RebuildsTheSameEncoding()
    {
        // arrange: zeros, sub-millisecond values, a spread and the clamp at MaxTrackable
        var random = new Random(7);
        var sketch = new LatencySketch();
        foreach (var value in (double[])[0, 0, 0.0004, 0.5, 1, 1, 2e9])
        {
            sketch.Add(value);
        }

        for (var i = 0; i < 5_000; i++)
        {
            sketch.Add(Math.Exp(random.NextDouble() * 10));
        }

        // act
        var rebuilt = LatencySketch.FromParts(sketch.ZeroCount, sketch.Sum, sketch.Min, sketch.Max, sketch.NonEmptyBuckets());

        // assert
        Assert.Equal(3, sketch.ZeroCount);
        Assert.Equal(sketch.ToBytes(), rebuilt.ToBytes());
        Assert.Equal(sketch.Quantile(0.95), rebuilt.Quantile(0.95));
    }

    [Fact]
    public void NonEmptyBuckets_IncreasingIndexes_CountsAddUpWithTheZeroBucket()
    {
        var sketch = new LatencySketch();
        foreach (var value in (double[])[0, 10, 10, 100, 5])
        {
            sketch.Add(value);
        }

        var buckets = sketch.NonEmptyBuckets();

        Assert.Equal(buckets.Select(static b => b.Key).Order(), buckets.Select(static b => b.Key));
        Assert.Equal(sketch.Count, sketch.ZeroCount + buckets.Sum(static b => b.Value));
        Assert.Equal(3, buckets.Count);
    }

    [Fact]
    public void FromParts_Unordered_SortsThem()
    {
        var sketch = new LatencySketch();
        sketch.Add(1);
        sketch.Add(1000);

        var rebuilt = LatencySketch.FromParts(0, sketch.Sum, sketch.Min, sketch.Max, sketch.NonEmptyBuckets().Reverse());

        Assert.Equal(sketch.ToBytes(), rebuilt.ToBytes());
    }

    [Fact]
    public void FromParts_Empty_IsAnEmptySketch()
    {
        var rebuilt = LatencySketch.FromParts(0, 0, 0, 0, []);

        Assert.Equal(0, rebuilt.Count);
        Assert.Equal(new LatencySketch().ToBytes(), rebuilt.ToBytes());
    }

    [Theory]
    [InlineData(-1, 0, "negative")]
    [InlineData(0, 0, "positive count")]
    [InlineData(0, 5, "is not in the highest bucket")]
    public void FromParts_InconsistentParts_FormatExceptionSayingWhy(long zeroCount, int shiftIndex, string expected)
    {
        var sketch = new LatencySketch();
        sketch.Add(10);
        var bucket = sketch.NonEmptyBuckets()[0];
        var count = expected == "positive count" ? 0 : bucket.Value;

        var ex = Assert.Throws<FormatException>(() => LatencySketch.FromParts(
            zeroCount, sketch.Sum, sketch.Min, sketch.Max, [new KeyValuePair<int, long>(bucket.Key + shiftIndex, count)]));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void FromParts_SameIndexTwice_Refused()
    {
        var sketch = new LatencySketch();
        sketch.Add(10);
        sketch.Add(10);
        var index = sketch.NonEmptyBuckets()[0].Key;

        Assert.Throws<FormatException>(() => LatencySketch.FromParts(
            0, sketch.Sum, sketch.Min, sketch.Max, [new KeyValuePair<int, long>(index, 1), new KeyValuePair<int, long>(index, 1)]));
    }
}
