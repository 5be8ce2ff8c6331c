namespace Cutover.Core.Health;

/// <summary>
/// One rollup interval (normally a minute) of the two handlers' comparable traffic: requests and the
/// errors among them. Only traffic whose route the bucket decided belongs here; overrides, protected
/// and non-routable domains were not assigned at random, so they would bias the comparison.
/// </summary>
/// <remarks>
/// The counts are checked on construction, so a comparison never sees more errors than requests.
/// <c>default</c> is the empty interval, which is valid and carries no information.
/// </remarks>
public readonly record struct ComparisonInterval(long UnifiedRequests, long UnifiedErrors, long LegacyRequests, long LegacyErrors)
{
    // Get-only (not init) so that `with` cannot bypass the checks below.
    public long UnifiedRequests { get; } = NotNegative(UnifiedRequests, nameof(UnifiedRequests));

    public long UnifiedErrors { get; } = ErrorsWithin(UnifiedErrors, UnifiedRequests, nameof(UnifiedErrors), nameof(UnifiedRequests));

    public long LegacyRequests { get; } = NotNegative(LegacyRequests, nameof(LegacyRequests));

    public long LegacyErrors { get; } = ErrorsWithin(LegacyErrors, LegacyRequests, nameof(LegacyErrors), nameof(LegacyRequests));

    /// <summary>
    /// Both sides served requests. Only then does the way errors split between them say anything about
    /// the handlers: with one side empty, every error is on the other side whatever the error rates.
    /// </summary>
    public bool IsInformative => UnifiedRequests > 0 && LegacyRequests > 0;

    private static long NotNegative(long value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        return value;
    }

    private static long ErrorsWithin(long errors, long requests, string name, string requestsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(errors, name);
        if (errors > requests)
        {
            throw new ArgumentException($"{name} ({errors}) exceeds {requestsName} ({requests}).", name);
        }

        return errors;
    }
}
