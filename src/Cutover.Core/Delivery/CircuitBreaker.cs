namespace Cutover.Core.Delivery;

/// <summary>
/// A circuit breaker for one upstream, so that a dead upstream is probed rather than hammered by every queued
/// webhook. Thread-safe; it never reads a clock: every call is handed <c>now</c>.
/// </summary>
/// <remarks>
/// <para>
/// Closed: every caller may send; <see cref="CircuitBreakerOptions.FailureThreshold"/> consecutive failures open
/// the circuit for <see cref="CircuitBreakerOptions.BreakDuration"/>. Open: no one may send until the break ends.
/// Half-open (the break is over): exactly one caller gets to send, the probe; its success closes the circuit and
/// resets the break, its failure reopens it for twice the last break, up to
/// <see cref="CircuitBreakerOptions.MaxBreakDuration"/>. A probe that never reports (its worker crashed) would
/// wedge the circuit half-open for good, so after one break in half-open without a report another probe may go.
/// </para>
/// <para>
/// Any success closes the circuit, even one from a request sent before it opened: an upstream that answered
/// is not dead, and a breaker is for dead upstreams, not for slow or flaky ones (retries handle those). A
/// failure reported while open (from a request already in flight) changes nothing: the break is already running.
/// </para>
/// <para>
/// Why not Polly's breaker: it wraps an execution and says no by throwing from inside it, reads time from its own
/// <see cref="TimeProvider"/>, and judges by failure ratio over a sampling window. A queued worker needs to ask
/// before it claims a webhook and, when refused, learn until when to put it back without counting an attempt
/// (<see cref="TryAcquire"/>'s <c>retryAt</c>); and Core takes the time as an argument. That fits in this small
/// class under one lock, with every transition a <c>_NeedsLock</c> method.
/// </para>
/// </remarks>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly CircuitBreakerOptions _options;

    private int _consecutiveFailures;

    // Null while closed; the end of the current break while open or half-open.
    private DateTimeOffset? _openUntil;

    // The break now running, or just run: what the next failed probe doubles.
    private TimeSpan _breakDuration;

    // When the half-open probe was handed out; null when none is out.
    private DateTimeOffset? _probeSentAt;

    public CircuitBreaker(CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxBreakDuration < options.BreakDuration)
        {
            throw new ArgumentException(
                $"{nameof(CircuitBreakerOptions.MaxBreakDuration)} ({options.MaxBreakDuration}) must be at least {nameof(CircuitBreakerOptions.BreakDuration)} ({options.BreakDuration}).",
                nameof(options));
        }

        _options = options;
        _breakDuration = options.BreakDuration;
    }

    /// <summary>The end of the current break; null while closed. Still set (and past) while half-open.</summary>
    public DateTimeOffset? OpenUntil
    {
        get
        {
            lock (_lock)
            {
                return _openUntil;
            }
        }
    }

    /// <summary>
    /// Whether the caller may send now. When it may not, <paramref name="retryAt"/> is when to ask again: the end
    /// of the break, or, while another caller's probe is out, when that probe counts as lost. When it may,
    /// <paramref name="retryAt"/> is <paramref name="now"/>, and the caller must report with
    /// <see cref="Succeeded"/> or <see cref="Failed"/>.
    /// </summary>
    public bool TryAcquire(DateTimeOffset now, out DateTimeOffset retryAt)
    {
        lock (_lock)
        {
            if (_openUntil is not { } until)
            {
                retryAt = now;
                return true;
            }

            if (now < until)
            {
                retryAt = until;
                return false;
            }

            if (_probeSentAt is { } sent && now < sent + _breakDuration)
            {
                retryAt = sent + _breakDuration;
                return false;
            }

            _probeSentAt = now;
            retryAt = now;
            return true;
        }
    }

    /// <summary>A request succeeded: close the circuit and forget past failures and breaks.</summary>
    /// <param name="now">Unused today (a success closes at any time); taken so that every report reads alike and a later rule may need it.</param>
    public void Succeeded(DateTimeOffset now)
    {
        lock (_lock)
        {
            CloseCircuit_NeedsLock();
        }
    }

    /// <summary>A request failed: count it while closed, reopen for a doubled break when half-open.</summary>
    public void Failed(DateTimeOffset now)
    {
        lock (_lock)
        {
            switch (StateAt_NeedsLock(now))
            {
                case CircuitState.Closed:
                    if (++_consecutiveFailures >= _options.FailureThreshold)
                    {
                        OpenCircuit_NeedsLock(now, _options.BreakDuration);
                    }

                    break;
                case CircuitState.HalfOpen:
                    // Doubling in ticks with a bound check first: the max is at most a day, so this cannot overflow.
                    var doubled = _breakDuration.Ticks > _options.MaxBreakDuration.Ticks / 2
                        ? _options.MaxBreakDuration
                        : TimeSpan.FromTicks(_breakDuration.Ticks * 2);
                    OpenCircuit_NeedsLock(now, doubled);
                    break;
                case CircuitState.Open:
                    // A request sent before the circuit opened; the break already accounts for the outage.
                    break;
            }
        }
    }

    /// <summary>The state at <paramref name="now"/>: open turns half-open when the break ends, without a call.</summary>
    public CircuitState State(DateTimeOffset now)
    {
        lock (_lock)
        {
            return StateAt_NeedsLock(now);
        }
    }

    private CircuitState StateAt_NeedsLock(DateTimeOffset now) => _openUntil switch
    {
        null => CircuitState.Closed,
        { } until when now < until => CircuitState.Open,
        _ => CircuitState.HalfOpen,
    };

    private void OpenCircuit_NeedsLock(DateTimeOffset now, TimeSpan duration)
    {
        _breakDuration = duration;
        _openUntil = now + duration;
        _probeSentAt = null;
        _consecutiveFailures = 0;
    }

    private void CloseCircuit_NeedsLock()
    {
        _openUntil = null;
        _probeSentAt = null;
        _consecutiveFailures = 0;
        _breakDuration = _options.BreakDuration;
    }
}
