using System.Globalization;

namespace Cutover.Core.Delivery;

/// <summary>
/// When queued delivery tries a webhook again: exponential backoff with full jitter, capped, for at most
/// <see cref="MaxAttempts"/> attempts and <see cref="MaxAge"/> after Cutover accepted it. Bound from
/// <c>Delivery:RetryBase</c>, <c>Delivery:RetryCap</c>, <c>Delivery:MaxAttempts</c> and <c>Delivery:MaxAge</c>;
/// check <see cref="Validate"/> at boot.
/// </summary>
/// <param name="Base">The bound on the delay before the first retry; each later retry doubles it.</param>
/// <param name="Cap">The bound no delay exceeds, however many retries came before.</param>
/// <param name="MaxAttempts">Attempts in all, the first one included; after the last, the webhook is dead-lettered.</param>
/// <param name="MaxAge">How long after acceptance a retry may still be scheduled.</param>
public sealed record RetrySchedule(TimeSpan Base, TimeSpan Cap, int MaxAttempts, TimeSpan MaxAge)
{
    public const string BaseKey = "Delivery:RetryBase";
    public const string CapKey = "Delivery:RetryCap";
    public const string MaxAttemptsKey = "Delivery:MaxAttempts";
    public const string MaxAgeKey = "Delivery:MaxAge";

    /// <summary>The most attempts a schedule may make: more would only hammer a dead upstream at the cap.</summary>
    public const int AttemptsLimit = 100;

    /// <summary>The longest <see cref="Cap"/>: a gap of more than a day between attempts is not a retry any more.</summary>
    public static TimeSpan CapLimit { get; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The longest <see cref="MaxAge"/>: past a month the conversation the webhook belongs to is long over, and
    /// a replay from the dead letters is the operator's call.
    /// </summary>
    public static TimeSpan MaxAgeLimit { get; } = TimeSpan.FromDays(30);

    /// <summary>
    /// 2 s base, 4 h cap, 24 attempts, 3 days. Once Cutover has answered 200, Meta no longer retries (it would
    /// have for 7 days), so this budget replaces Meta's and should outlast an overnight outage of every handler.
    /// The Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) spans about 27.6 h; ours
    /// starts finer (2, 4, 8 … s, so a blip costs seconds) and ends at one attempt every 4 h at most. The 23
    /// retries' bounds are 2 s · (2^13 − 1) = 16,382 s for retries 1–13, then 10 × 4 h = 144,000 s: 160,382 s
    /// (44.6 h) at most, and with full jitter (each delay uniform below its bound) 80,191 s, about 22.3 h, on
    /// average (<see cref="MaxTotalDelay"/>, <see cref="ExpectedTotalDelay"/>). Max age 3 days sits above the
    /// worst case, so it only cuts in when long Retry-After answers or waiting behind a person's earlier
    /// webhooks stretch the schedule. Attempts that a circuit breaker holds back do not count.
    /// </summary>
    public static RetrySchedule Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromHours(4), 24, TimeSpan.FromDays(3));

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 before the second attempt):
    /// <c>random01 × min(Cap, Base × 2^(retry − 1))</c>, "full jitter", so that webhooks that failed together do
    /// not come back together.
    /// </summary>
    /// <param name="retry">1 or more.</param>
    /// <param name="random01">A uniform draw in [0, 1), from the caller's random source.</param>
    public TimeSpan DelayBefore(int retry, double random01)
    {
        // Written so that NaN fails too.
        if (!(random01 is >= 0.0 and < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(random01), random01, "random01 must be in [0, 1).");
        }

        var bound = BoundBefore(retry);
        // random01 < 1, so the product stays below the bound, which is a valid tick count: no overflow.
        return TimeSpan.FromTicks((long)(random01 * bound.Ticks));
    }

    /// <summary>The un-jittered bound on the delay before retry <paramref name="retry"/>: <c>min(Cap, Base × 2^(retry − 1))</c>.</summary>
    public TimeSpan BoundBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        EnsureUsable();
        var shift = retry - 1;
        // Compared in ticks, shifting the cap right instead of the base left: Base × 2^shift ≤ Cap exactly when
        // Base ≤ ⌊Cap / 2^shift⌋, and neither side can overflow however large the retry number.
        return shift < 63 && Base.Ticks <= Cap.Ticks >> shift ? TimeSpan.FromTicks(Base.Ticks << shift) : Cap;
    }

    /// <summary>The sum of every retry's bound: the longest the schedule can take from the first attempt to the last.</summary>
    public TimeSpan MaxTotalDelay => TimeSpan.FromTicks((long)Int128.Min(SumOfBoundTicks(), TimeSpan.MaxValue.Ticks));

    /// <summary>Half of <see cref="MaxTotalDelay"/>: the mean time from the first attempt to the last under full jitter.</summary>
    public TimeSpan ExpectedTotalDelay => TimeSpan.FromTicks((long)Int128.Min(SumOfBoundTicks() / 2, TimeSpan.MaxValue.Ticks));

    /// <summary>Every problem with this schedule, each naming its configuration key and the value found; empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Base <= TimeSpan.Zero)
        {
            problems.Add($"{BaseKey} must be above zero (was {Show(Base)}).");
        }

        if (Cap < Base)
        {
            problems.Add($"{CapKey} must be at least {BaseKey} (was {Show(Cap)}, base {Show(Base)}).");
        }
        else if (Cap > CapLimit)
        {
            problems.Add($"{CapKey} must be at most {Show(CapLimit)} (was {Show(Cap)}).");
        }

        if (MaxAttempts is < 1 or > AttemptsLimit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{MaxAttemptsKey} must be between 1 and {AttemptsLimit} (was {MaxAttempts})."));
        }

        if (MaxAge <= TimeSpan.Zero)
        {
            problems.Add($"{MaxAgeKey} must be above zero (was {Show(MaxAge)}).");
        }
        else if (MaxAge > MaxAgeLimit)
        {
            problems.Add($"{MaxAgeKey} must be at most {Show(MaxAgeLimit)} (was {Show(MaxAge)}).");
        }

        return problems;
    }

    private Int128 SumOfBoundTicks()
    {
        Int128 sum = 0;
        for (var retry = 1; retry < MaxAttempts; retry++)
        {
            sum += BoundBefore(retry).Ticks;
        }

        return sum;
    }

    /// <summary>
    /// The delay arithmetic needs a positive base and a cap at least as large; anything else is a schedule that
    /// skipped <see cref="Validate"/>, a programming error.
    /// </summary>
    private void EnsureUsable()
    {
        if (Base <= TimeSpan.Zero || Cap < Base)
        {
            throw new InvalidOperationException(string.Join(" ", Validate()));
        }
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
