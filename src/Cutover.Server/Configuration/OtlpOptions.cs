namespace Cutover.Server.Configuration;

/// <summary>
/// <c>Telemetry:Otlp:*</c>: the OpenTelemetry collector that gets Cutover's traces. Checked by the rules (an empty
/// endpoint is allowed: it means off).
/// </summary>
public sealed class OtlpOptions
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>
    /// The collector's OTLP address (<c>http://collector:4317</c> for gRPC, <c>http://collector:4318</c> for
    /// http/protobuf, where <c>/v1/traces</c> is added). Empty (default): no traces are made at all.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default, also when empty) or <c>http/protobuf</c>.</summary>
    public string? Protocol { get; set; } = Grpc;

    /// <summary><see cref="Protocol"/>, or <see cref="Grpc"/> when it is empty.</summary>
    internal string ProtocolOrDefault => string.IsNullOrEmpty(Protocol) ? Grpc : Protocol;

    /// <summary>Whether traces are exported: an endpoint is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}
