using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;

namespace Cutover.Core.Stats;

/// <summary>
/// A mergeable summary of latencies in milliseconds whose quantiles are within
/// <see cref="RelativeAccuracy"/> of the exact nearest-rank value: DDSketch's logarithmic buckets.
/// A value v goes to bucket <c>i = ceil(log_γ v)</c> with <c>γ = (1 + a) / (1 - a)</c>, so the
/// bucket holds (γ^(i-1), γ^i], and its representative <c>2γ^i / (γ + 1)</c> is within a of every
/// value in it. Merging adds bucket counts, so a merge of sketches answers exactly as one sketch
/// built from all their values would.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe: the caller aggregates under its own lock (a per-minute rollup has one writer,
/// and a lock-free sketch would cost every <see cref="Add"/> an interlocked operation).
/// </para>
/// <para>
/// Values are clamped to [0, <see cref="MaxTrackable"/>] before anything else (negative and NaN
/// count as 0), and <see cref="Count"/>, <see cref="Sum"/>, <see cref="Min"/> and
/// <see cref="Max"/> are of the clamped values. Values below <see cref="MinTrackable"/> share one
/// zero bucket; a quantile that falls there answers <see cref="Min"/>. Everything from
/// <see cref="MinTrackable"/> up has the relative-error guarantee (up to floating-point rounding
/// for a value within ~1e-15 of a bucket edge).
/// </para>
/// <para>
/// Encoding, version 1 (stored as a BLOB, so a change to it needs a new version byte): the version;
/// the count as a varint (LEB128), and for a non-empty sketch the sum, min and max as little-endian
/// doubles, the zero bucket's count as a varint, then one (index delta, count) pair of varints per
/// non-empty bucket in increasing index order up to the end of the input. The first delta is from
/// <c>MinIndex - 1</c>, so every delta is at least 1. Bucket counts must add up to the count, which
/// is what catches input cut at a pair boundary.
/// </para>
/// </remarks>
public sealed class LatencySketch
{
    /// <summary>The largest relative error of a quantile against the exact nearest-rank value.</summary>
    public const double RelativeAccuracy = 0.01;

    /// <summary>Values below this (1 µs) go to the zero bucket: no latency we forward is that small.</summary>
    public const double MinTrackable = 1e-3;

    /// <summary>Larger values (and +∞) count as this: 1e9 ms is 11.6 days, far past any timeout.</summary>
    public const double MaxTrackable = 1e9;

    // The bucket indices of MinTrackable and MaxTrackable (ceil(log_γ) of them: -345.38 and 1036.13,
    // far from an edge, so no platform's Math.Log puts them elsewhere). Constants because they bound
    // what a stored encoding may hold; a test checks them against IndexOf.
    internal const int MinIndex = -345;
    internal const int MaxIndex = 1037;

    private const byte Version = 1;
    private const int Slack = 32;
    private const int MaxVarintLength = 10;
    private const int DoubleLength = sizeof(double);

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LnGamma = Math.Log(Gamma);
    private static readonly double InverseLnGamma = 1 / LnGamma;
    private static readonly double RepresentativeFactor = 2 / (Gamma + 1);

    // Bucket i is _counts[i - _offset]. _lowest.._highest is the range of non-empty buckets (empty
    // when _lowest > _highest), which bounds every walk over the array.
    private long[] _counts = [];
    private int _offset;
    private int _lowest = int.MaxValue;
    private int _highest = int.MinValue;
    private long _zeroCount;
    private long _count;
    private double _sum;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public long Count => _count;

    /// <summary>The floating-point sum of the (clamped) values added, for averages.</summary>
    /// <remarks>Sums merged in another order may differ in the last bits, as any floating-point sum does.</remarks>
    public double Sum => _sum;

    /// <summary>The smallest value added (clamped), exactly; 0 when empty.</summary>
    public double Min => _count == 0 ? 0 : _min;

    /// <summary>The largest value added (clamped), exactly; 0 when empty.</summary>
    public double Max => _count == 0 ? 0 : _max;

    /// <summary>How many values fell below <see cref="MinTrackable"/> (the zero bucket).</summary>
    public long ZeroCount => _zeroCount;

    /// <summary>
    /// The non-empty buckets as (index, count) in increasing index order: with <see cref="ZeroCount"/>,
    /// <see cref="Sum"/>, <see cref="Min"/> and <see cref="Max"/>, everything needed to rebuild the sketch
    /// with <see cref="FromParts"/>, for stores that keep sketches in a form their SQL can merge.
    /// </summary>
    public IReadOnlyList<KeyValuePair<int, long>> NonEmptyBuckets()
    {
        var buckets = new List<KeyValuePair<int, long>>();
        for (var index = _lowest; index <= _highest; index++)
        {
            var count = _counts[index - _offset];
            if (count != 0)
            {
                buckets.Add(new KeyValuePair<int, long>(index, count));
            }
        }

        return buckets;
    }

    /// <summary>
    /// Rebuilds a sketch from the parts <see cref="NonEmptyBuckets"/> and the totals expose. The parts go
    /// through the same checks as a stored encoding (<see cref="FromBytes"/>), so inconsistent parts are refused.
    /// </summary>
    /// <exception cref="FormatException">The parts do not describe a sketch; the message says why.</exception>
    public static LatencySketch FromParts(long zeroCount, double sum, double min, double max, IEnumerable<KeyValuePair<int, long>> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var sorted = buckets.OrderBy(static b => b.Key).ToList();
        long count = zeroCount;
        foreach (var (index, bucketCount) in sorted)
        {
            if (bucketCount <= 0 || index < MinIndex || index > MaxIndex)
            {
                throw Malformed($"bucket {index} with count {bucketCount} is not a bucket of {MinIndex}..{MaxIndex} with a positive count");
            }

            count = checked(count + bucketCount);
        }

        if (zeroCount < 0)
        {
            throw Malformed($"the zero bucket's count {zeroCount} is negative");
        }

        // Encode and decode: one set of checks for stored bytes and stored parts.
        var bytes = new byte[1 + MaxVarintLength + (3 * DoubleLength) + MaxVarintLength + (sorted.Count * 2 * MaxVarintLength)];
        var position = 0;
        bytes[position++] = Version;
        position += WriteVarint(bytes.AsSpan(position), (ulong)count);
        if (count != 0)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position), sum);
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position + DoubleLength), min);
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position + (2 * DoubleLength)), max);
            position += 3 * DoubleLength;
            position += WriteVarint(bytes.AsSpan(position), (ulong)zeroCount);
            var previous = MinIndex - 1;
            foreach (var (index, bucketCount) in sorted)
            {
                if (index == previous)
                {
                    throw Malformed($"bucket {index} is given twice");
                }

                position += WriteVarint(bytes.AsSpan(position), (ulong)(index - previous));
                position += WriteVarint(bytes.AsSpan(position), (ulong)bucketCount);
                previous = index;
            }
        }

        return FromBytes(bytes.AsSpan(0, position));
    }

    public void Add(double milliseconds)
    {
        // One comparison sends NaN, negatives, zero and the tiny to the zero bucket.
        if (!(milliseconds >= MinTrackable))
        {
            var value = milliseconds > 0 ? milliseconds : 0;
            _zeroCount++;
            Record(value);
            return;
        }

        if (milliseconds > MaxTrackable)
        {
            milliseconds = MaxTrackable;
        }

        var index = IndexOf(milliseconds);
        var slot = index - _offset;
        if ((uint)slot >= (uint)_counts.Length)
        {
            Grow(index, index);
            slot = index - _offset;
        }

        _counts[slot]++;
        if (index < _lowest)
        {
            _lowest = index;
        }

        if (index > _highest)
        {
            _highest = index;
        }

        Record(milliseconds);
    }

    /// <exception cref="OverflowException">The merged count would not fit a long; nothing is merged.</exception>
    public void Merge(LatencySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._count == 0)
        {
            return;
        }

        var count = checked(_count + other._count);
        if (other._lowest <= other._highest)
        {
            Grow(other._lowest, other._highest);
            var length = other._highest - other._lowest + 1;
            var source = other._counts.AsSpan(other._lowest - other._offset, length);
            var target = _counts.AsSpan(other._lowest - _offset, length);
            for (var i = 0; i < source.Length; i++)
            {
                target[i] += source[i];
            }

            _lowest = Math.Min(_lowest, other._lowest);
            _highest = Math.Max(_highest, other._highest);
        }

        _zeroCount += other._zeroCount;
        MergeTotals(count, other._sum, other._min, other._max);
    }

    /// <summary>
    /// Merges the output of <see cref="ToBytes"/> without building a sketch from it. The whole input
    /// is checked before anything changes, so a malformed row leaves this sketch as it was.
    /// </summary>
    /// <exception cref="FormatException">The input is not a version-1 encoding; the message says why.</exception>
    /// <exception cref="OverflowException">The merged count would not fit a long; nothing is merged.</exception>
    public void MergeEncoded(ReadOnlySpan<byte> encoded)
    {
        var header = Validate(encoded);
        if (header.Count == 0)
        {
            return;
        }

        var count = checked(_count + header.Count);
        if (header.Lowest <= header.Highest)
        {
            Grow(header.Lowest, header.Highest);

            // Validate has read these pairs already: no checks the second time, only the additions.
            var reader = new Reader(encoded, header.PairsStart);
            var index = MinIndex - 1;
            while (!reader.AtEnd)
            {
                index += (int)reader.VarintUnchecked();
                _counts[index - _offset] += (long)reader.VarintUnchecked();
            }

            _lowest = Math.Min(_lowest, header.Lowest);
            _highest = Math.Max(_highest, header.Highest);
        }

        _zeroCount += header.ZeroCount;
        MergeTotals(count, header.Sum, header.Min, header.Max);
    }

    /// <summary>
    /// The nearest-rank quantile: the value of rank <c>ceil(q × Count)</c> (rank 1 for q = 0), within
    /// <see cref="RelativeAccuracy"/> of the exact one, never below <see cref="Min"/> nor above
    /// <see cref="Max"/>; NaN when empty.
    /// </summary>
    /// <remarks>
    /// q × Count is taken in decimal (q to 15 significant digits), so that 0.07 × 100 is rank 7 and
    /// not rank 8 as the binary product 7.000000000000001 would make it.
    /// </remarks>
    public double Quantile(double q)
    {
        if (!(q is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile is between 0 and 1.");
        }

        if (_count == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling((decimal)q * _count));

        // The extremes are known exactly.
        if (rank == 1)
        {
            return _min;
        }

        if (rank >= _count)
        {
            return _max;
        }

        var seen = _zeroCount;
        if (seen >= rank)
        {
            return _min;
        }

        for (var index = _lowest; index <= _highest; index++)
        {
            seen += _counts[index - _offset];
            if (seen >= rank)
            {
                return Math.Clamp(RepresentativeOf(index), _min, _max);
            }
        }

        throw new UnreachableException("The bucket counts add up to less than the count.");
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength()];
        var position = 0;
        bytes[position++] = Version;
        position += WriteVarint(bytes.AsSpan(position), (ulong)_count);
        if (_count == 0)
        {
            return bytes;
        }

        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position), _sum);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position + DoubleLength), _min);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position + (2 * DoubleLength)), _max);
        position += 3 * DoubleLength;
        position += WriteVarint(bytes.AsSpan(position), (ulong)_zeroCount);

        var previous = MinIndex - 1;
        for (var index = _lowest; index <= _highest; index++)
        {
            var count = _counts[index - _offset];
            if (count != 0)
            {
                position += WriteVarint(bytes.AsSpan(position), (ulong)(index - previous));
                position += WriteVarint(bytes.AsSpan(position), (ulong)count);
                previous = index;
            }
        }

        Debug.Assert(position == bytes.Length, "EncodedLength and ToBytes disagree.");
        return bytes;
    }

    /// <exception cref="FormatException">The input is not a version-1 encoding; the message says why.</exception>
    public static LatencySketch FromBytes(ReadOnlySpan<byte> encoded)
    {
        var sketch = new LatencySketch();
        sketch.MergeEncoded(encoded);
        return sketch;
    }

    internal static int IndexOf(double value) => (int)Math.Ceiling(Math.Log(value) * InverseLnGamma);

    internal static double RepresentativeOf(int index) => Math.Exp(index * LnGamma) * RepresentativeFactor;

    private void Record(double value)
    {
        _count++;
        _sum += value;
        if (value < _min)
        {
            _min = value;
        }

        if (value > _max)
        {
            _max = value;
        }
    }

    private void MergeTotals(long count, double sum, double min, double max)
    {
        _count = count;
        _sum += sum;
        _min = Math.Min(_min, min);
        _max = Math.Max(_max, max);
    }

    /// <summary>Makes the array cover lo..hi, with room to spare on the side that grew.</summary>
    private void Grow(int lo, int hi)
    {
        var end = _offset + _counts.Length;
        if (lo >= _offset && hi < end)
        {
            return;
        }

        int newLo, newHi;
        if (_counts.Length == 0)
        {
            newLo = lo - Slack;
            newHi = hi + Slack;
        }
        else
        {
            // Doubling keeps the copies O(log range); the index range is at most 1,383 buckets anyway.
            var extra = Math.Max(Slack, _counts.Length);
            newLo = lo < _offset ? lo - extra : _offset;
            newHi = hi >= end ? hi + extra : end - 1;
        }

        newLo = Math.Max(newLo, MinIndex);
        newHi = Math.Min(newHi, MaxIndex);
        var counts = new long[newHi - newLo + 1];
        if (_counts.Length != 0)
        {
            _counts.CopyTo(counts.AsSpan(_offset - newLo));
        }

        _counts = counts;
        _offset = newLo;
    }

    private int EncodedLength()
    {
        var length = 1 + VarintLength((ulong)_count);
        if (_count == 0)
        {
            return length;
        }

        length += (3 * DoubleLength) + VarintLength((ulong)_zeroCount);
        var previous = MinIndex - 1;
        for (var index = _lowest; index <= _highest; index++)
        {
            var count = _counts[index - _offset];
            if (count != 0)
            {
                length += VarintLength((ulong)(index - previous)) + VarintLength((ulong)count);
                previous = index;
            }
        }

        return length;
    }

    private static int VarintLength(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads the whole encoding once and checks everything a merge relies on.</summary>
    private static Header Validate(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw Malformed("the input is empty");
        }

        if (encoded[0] != Version)
        {
            throw Malformed($"unknown version {encoded[0]} (this build reads version {Version})");
        }

        var reader = new Reader(encoded, 1);
        var count = reader.Varint("the count");
        if (count > long.MaxValue)
        {
            throw Malformed($"the count {count} does not fit a long");
        }

        if (count == 0)
        {
            if (!reader.AtEnd)
            {
                throw Malformed($"an empty sketch has {encoded.Length - reader.Position} bytes after its count");
            }

            return new Header(0, 0, 0, 0, 0, int.MaxValue, int.MinValue, reader.Position);
        }

        var sum = reader.Double("the sum");
        var min = reader.Double("the min");
        var max = reader.Double("the max");
        var zeroCount = reader.Varint("the zero bucket's count");

        // Not negated comparisons: NaN fails them and lands in the throw.
        if (!(min >= 0 && min <= max && max <= MaxTrackable))
        {
            throw Malformed($"min {min} and max {max} are not 0 <= min <= max <= {MaxTrackable}");
        }

        // A sum of non-negative values is at least its largest, also in floating point (rounding is monotone).
        if (!(sum >= max && double.IsFinite(sum)))
        {
            throw Malformed($"the sum {sum} is not a finite number at least the max {max}");
        }

        if (zeroCount > count)
        {
            throw Malformed($"the zero bucket holds {zeroCount} of {count} values");
        }

        if ((zeroCount > 0) != (min < MinTrackable))
        {
            throw Malformed($"the zero bucket holds {zeroCount} values but the min is {min}");
        }

        var rest = count - zeroCount;
        ulong seen = 0;
        var index = MinIndex - 1;
        var lowest = int.MaxValue;
        var pairsStart = reader.Position;
        while (!reader.AtEnd)
        {
            var delta = reader.Varint("a bucket index delta");
            if (delta == 0 || delta > (ulong)(MaxIndex - index))
            {
                throw Malformed($"bucket index delta {delta} after index {index} leaves {MinIndex}..{MaxIndex} or does not increase");
            }

            index += (int)delta;
            var bucketCount = reader.Varint("a bucket count");
            if (bucketCount == 0 || bucketCount > rest - seen)
            {
                throw Malformed($"bucket {index} holds {bucketCount} values, with {seen} of {rest} already in lower buckets");
            }

            seen += bucketCount;
            lowest = Math.Min(lowest, index);
        }

        if (seen != rest)
        {
            throw Malformed($"the buckets hold {seen} values and the zero bucket {zeroCount}, but the count is {count}");
        }

        // The min and max fall in the lowest and highest buckets; one index of leeway because a
        // sketch stored on one machine may be read on another whose Math.Log differs in the last bit.
        if (seen > 0)
        {
            if (!(max >= MinTrackable) || Math.Abs(IndexOf(max) - index) > 1)
            {
                throw Malformed($"the max {max} is not in the highest bucket, {index}");
            }

            if (zeroCount == 0 && Math.Abs(IndexOf(min) - lowest) > 1)
            {
                throw Malformed($"the min {min} is not in the lowest bucket, {lowest}");
            }
        }
        else if (max >= MinTrackable)
        {
            throw Malformed($"every value is in the zero bucket but the max is {max}");
        }

        return new Header((long)count, sum, min, max, (long)zeroCount, lowest, seen > 0 ? index : int.MinValue, pairsStart);
    }

    private static FormatException Malformed(string problem) => new($"Not a latency sketch: {problem}.");

    private readonly record struct Header(
        long Count, double Sum, double Min, double Max, long ZeroCount, int Lowest, int Highest, int PairsStart);

    private ref struct Reader(ReadOnlySpan<byte> bytes, int position)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; } = position;

        public readonly bool AtEnd => Position >= _bytes.Length;

        // What is read is named by a constant: an interpolated name would be built on every read,
        // which made a merge allocate 13 KB per row before anything had gone wrong.
        public ulong Varint(string what)
        {
            // Most deltas and counts are one byte.
            if (Position < _bytes.Length && _bytes[Position] < 0x80)
            {
                return _bytes[Position++];
            }

            ulong value = 0;
            for (var i = 0; i < MaxVarintLength; i++)
            {
                if (Position >= _bytes.Length)
                {
                    throw Malformed($"the input ends inside {what}, at byte {Position}");
                }

                var b = _bytes[Position++];

                // The tenth byte holds bit 63 only.
                if (i == MaxVarintLength - 1 && b > 1)
                {
                    throw Malformed($"{what} at byte {Position - 1} does not fit 64 bits");
                }

                value |= (ulong)(b & 0x7F) << (7 * i);
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed($"{what} at byte {Position - 1} does not fit 64 bits");
        }

        public ulong VarintUnchecked()
        {
            var b = _bytes[Position++];
            if (b < 0x80)
            {
                return b;
            }

            ulong value = b & 0x7FUL;
            var shift = 7;
            do
            {
                b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while (b >= 0x80);
            return value;
        }

        public double Double(string what)
        {
            if (_bytes.Length - Position < DoubleLength)
            {
                throw Malformed($"the input ends inside {what}, at byte {Position}");
            }

            var value = BinaryPrimitives.ReadDoubleLittleEndian(_bytes[Position..]);
            Position += DoubleLength;
            return value;
        }
    }
}
