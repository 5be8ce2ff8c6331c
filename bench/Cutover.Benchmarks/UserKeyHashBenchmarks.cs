using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cutover.Core.Privacy;

namespace Cutover.Benchmarks;

/// <summary>
/// What the decision-log writer pays per record to hash its user key (<c>Privacy:UserKeys = hashed</c>):
/// the code before (a one-shot HMAC per record, the baseline), the reused keyed HMAC without the cache, a repeated
/// user (a cache hit), and a stream of users too many for the cache (every record a miss: the HMAC plus the cache's
/// bookkeeping).
/// </summary>
/// <remarks>Public and not sealed for BenchmarkDotNet.</remarks>
[MemoryDiagnoser]
[MedianColumn]
public class UserKeyHashBenchmarks
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef");
    private readonly UserKeyHasher _uncached = UserKeyHasher.Keyed(Key, cacheCapacity: 0);
    private readonly UserKeyHasher _cached = UserKeyHasher.Keyed(Key);
    private readonly string[] _manyUsers = new string[1 << 18];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _manyUsers.Length; i++)
        {
            _manyUsers[i] = "2507" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture);
        }

        _cached.Protect("16505551234");
    }

    // UserKeyHasher.Protect at 8236781, inline: the one-shot HMAC, which sets the key up on every call.
    [Benchmark(Baseline = true, Description = "before: one-shot HMACSHA256.HashData (8236781)")]
    public string Before()
    {
        Span<byte> input = stackalloc byte[64];
        var written = Encoding.UTF8.GetBytes("16505551234", input);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Key, input[..written], mac);
        return Convert.ToHexStringLower(mac[..16]);
    }

    [Benchmark(Description = "reused keyed HMAC, no cache (cacheCapacity 0)")]
    public string? Uncached() => _uncached.Protect("16505551234");

    [Benchmark(Description = "cache: repeated user (hit)")]
    public string? CachedHit() => _cached.Protect("16505551234");

    [Benchmark(Description = "cache: 262,144 users in turn (every one a miss)")]
    public string? CachedMiss() => _cached.Protect(_manyUsers[_next++ & (_manyUsers.Length - 1)]);
}
