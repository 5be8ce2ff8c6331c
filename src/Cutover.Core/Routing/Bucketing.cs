using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Cutover.Core.Routing;

/// <summary>
/// A user's fixed place in 0..9999: <c>XxHash3_64(UTF-8(salt + ":" + userKey)) mod 10000</c>.
/// The same user always lands in the same bucket, so raising the percentage only moves users from
/// legacy to unified, never back.
/// </summary>
public sealed class Bucketing
{
    /// <summary>Buckets per user space: percent × 100, so a percent has two decimals.</summary>
    public const int BucketCount = 10_000;

    private const int StackLimit = 256;
    private readonly byte[] _prefix;

    public Bucketing(string salt)
    {
        ArgumentNullException.ThrowIfNull(salt);
        Salt = salt;
        _prefix = Encoding.UTF8.GetBytes(salt + ":");
    }

    public string Salt { get; }

    public int BucketOf(string userKey)
    {
        var length = _prefix.Length + Encoding.UTF8.GetMaxByteCount(userKey.Length);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            _prefix.CopyTo(buffer);
            var written = _prefix.Length + Encoding.UTF8.GetBytes(userKey, buffer[_prefix.Length..]);
            return (int)(XxHash3.HashToUInt64(buffer[..written]) % BucketCount);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The bucket threshold of a percentage: unified iff bucket &lt; threshold.</summary>
    public static int ThresholdOf(decimal percent) => (int)decimal.Round(percent * 100m, 0, MidpointRounding.ToZero);
}
