namespace Cutover.Server.Configuration;

/// <summary><c>Telemetry:*</c>: where traces go. Metrics are always on <c>GET /metrics</c>.</summary>
public sealed class TelemetryOptions
{
    public OtlpOptions Otlp { get; set; } = new();
}
