using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using OpenTelemetry.Exporter;
using static Cutover.Server.Tests.Configuration.ConfigSettings;

namespace Cutover.Server.Tests.Telemetry;

/// <summary><c>Telemetry:Otlp:*</c>: known keys, checked at start-up, and the exporter they make.</summary>
public sealed class OtlpOptionsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", "grpc")]
    [InlineData("http://127.0.0.1:4317", "grpc")]
    [InlineData("https://collector.internal:4318", "http/protobuf")]
    public void Load_ValidOrOff_NoProblem(string? endpoint, string? protocol)
    {
        var errors = Errors(Valid(("Cutover:Telemetry:Otlp:Endpoint", endpoint), ("Cutover:Telemetry:Otlp:Protocol", protocol)));

        Assert.Empty(errors);
    }

    [Fact]
    public void Load_EndpointNotAnHttpUrl_NamesTheKeyAndValue()
    {
        var errors = Errors(Valid(("Cutover:Telemetry:Otlp:Endpoint", "collector:4317")));

        Assert.Equal(["Cutover:Telemetry:Otlp:Endpoint: 'collector:4317' is not an absolute http:// or https:// URL "
            + "(example: http://127.0.0.1:4317; empty turns tracing off)"], errors);
    }

    [Fact]
    public void Load_UnknownProtocol_NamesTheKnownOnes()
    {
        var errors = Errors(Valid(("Cutover:Telemetry:Otlp:Endpoint", "http://127.0.0.1:4318"), ("Cutover:Telemetry:Otlp:Protocol", "http/json")));

        Assert.Equal(["Cutover:Telemetry:Otlp:Protocol: 'http/json' is not grpc or http/protobuf"], errors);
    }

    [Fact]
    public void Load_MisspeltKey_IsUnknownWithTheNearest()
    {
        var errors = Errors(Valid(("Cutover:Telemetry:Otlp:Endpont", "http://127.0.0.1:4317")));

        Assert.Contains("did you mean Cutover:Telemetry:Otlp:Endpoint?", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void ExporterOf_HttpProtobuf_AddsTheTracesPath()
    {
        var exporter = TelemetrySetup.ExporterOf(new OtlpOptions { Endpoint = "http://collector:4318/", Protocol = OtlpOptions.HttpProtobuf });

        Assert.Equal((OtlpExportProtocol.HttpProtobuf, new Uri("http://collector:4318/v1/traces")), exporter);
    }

    [Fact]
    public void ExporterOf_Grpc_TheEndpointAsGiven()
    {
        var exporter = TelemetrySetup.ExporterOf(new OtlpOptions { Endpoint = "http://collector:4317" });

        Assert.Equal((OtlpExportProtocol.Grpc, new Uri("http://collector:4317")), exporter);
    }
}
