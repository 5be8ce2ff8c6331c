using System.Diagnostics;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/>, <c>Cutover</c>: an activity per webhook POST (<see cref="Webhook"/>), per queued
/// delivery attempt (<see cref="Deliver"/>), and a child of either per forward to an upstream (<see cref="Forward"/>).
/// </summary>
/// <remarks>
/// Nothing listens unless <c>Telemetry:Otlp:Endpoint</c> is set (or a test adds a listener): then
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null, every <c>activity?.</c> call is skipped,
/// and the hot path allocates nothing more than it did before tracing existed.
/// </remarks>
internal static class CutoverActivities
{
    public const string SourceName = "Cutover";

    public const string Webhook = "cutover.webhook";
    public const string Deliver = "cutover.deliver";
    public const string Forward = "cutover.forward";

    /// <summary>Cutover's correlation id (<c>X-Correlation-ID</c>), on every activity: the key to the decision log.</summary>
    public const string CorrelationIdTag = "cutover.correlation_id";
    public const string UpstreamTag = "cutover.upstream";
    public const string RouteTag = "cutover.route";
    public const string OutcomeTag = "cutover.outcome";
    public const string StatusCodeTag = "http.response.status_code";

    public static ActivitySource Source { get; } = new(SourceName, typeof(CutoverActivities).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts an activity that begins a trace, whatever <see cref="Activity.Current"/> is: Meta sends no trace context,
    /// and a <c>traceparent</c> that came with a request must not choose the trace ids Cutover sends on. Null, without
    /// touching anything, while nothing listens.
    /// </summary>
    public static Activity? StartRoot(string name, ActivityKind kind)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // Only this async flow's value: the caller's is restored when the calling async method returns.
        Activity.Current = null;
        return Source.StartActivity(name, kind);
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="activity"/> (<c>00-</c>trace id<c>-</c>span id<c>-</c>flags), null when its id is not W3C.</summary>
    public static string? TraceParentOf(Activity activity) =>
        activity.IdFormat == ActivityIdFormat.W3C ? activity.Id : null;
}
