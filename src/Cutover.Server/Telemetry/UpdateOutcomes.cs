namespace Cutover.Server.Telemetry;

/// <summary>
/// The <c>outcome</c> label of <c>cutover_webhook_updates_total</c>, a closed set: <see cref="Ok"/> (the decided upstream
/// took it), <see cref="Fallback"/> (unified failed and legacy took it), <see cref="Error"/> (no upstream took it).
/// </summary>
/// <remarks>
/// The same split as the decision log's <c>success</c> and <c>fallback</c>: Cutover's health counts a fallback as a
/// failure of the route decided (<c>Rollups.IsFailure</c>), so the error rate as the rollout judges it is
/// <c>fallback + error</c> over all, and the error rate users saw is <c>error</c> over all.
/// </remarks>
internal static class UpdateOutcomes
{
    public const string Ok = "ok";
    public const string Fallback = "fallback";
    public const string Error = "error";

    public static IReadOnlyList<string> All { get; } = [Ok, Fallback, Error];

    public static string Of(bool success, bool fellBack) => !success ? Error : fellBack ? Fallback : Ok;
}
