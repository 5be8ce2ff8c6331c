using System.Text.Json;
using System.Text.Json.Serialization;
using Cutover.Core.Health;

namespace Cutover.Store;

/// <summary>A health check as stored, with the names <c>check_routing_health()</c> returns.</summary>
internal sealed record StoredHealthCheck(
    [property: JsonPropertyName("check_name")] string CheckName,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("message")] string Message)
{
    public static StoredHealthCheck From(HealthCheck check) =>
        new(check.Name, check.State.ToName(), Finite(check.Value), Finite(check.Threshold), check.Message);

    /// <summary>A report's checks as the JSON both stores keep in <c>cutover_health.checks</c>.</summary>
    public static string ToJson(HealthReport report) =>
        JsonSerializer.Serialize(report.Checks.Select(From).ToList(), StoreJson.Default.ListStoredHealthCheck);

    /// <summary>A stored verdict back: its row's columns, the checks as <see cref="ToJson"/> wrote them.</summary>
    public static HealthSnapshot ToSnapshot(string instance, DateTimeOffset evaluatedAt, string state, string checksJson)
    {
        var checks = JsonSerializer.Deserialize(checksJson, StoreJson.Default.ListStoredHealthCheck) ?? [];
        return new HealthSnapshot(instance, new HealthReport(evaluatedAt, ParseState(state), [.. checks.Select(static c => c.ToCheck())]));
    }

    public HealthCheck ToCheck() => new(CheckName, ParseState(Status), Value, Threshold, Message);

    public static HealthState ParseState(string name) => name switch
    {
        "ok" => HealthState.Ok,
        "insufficient_data" => HealthState.InsufficientData,
        "warn" => HealthState.Warn,
        "critical" => HealthState.Critical,
        _ => throw new StoreException($"a stored health check has an unknown status '{name}'"),
    };

    // JSON and SQL numerics have no NaN or infinity.
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
