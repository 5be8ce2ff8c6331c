using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cutover.Server.Telemetry;

/// <summary>
/// The meter and tracer providers: who Cutover is (<c>service.name</c> <c>cutover</c>, its version, the instance id),
/// Cutover's meter with the .NET runtime's and the process's metrics on <c>/metrics</c>, and, only when
/// <c>Telemetry:Otlp:Endpoint</c> is set, the <c>Cutover</c> activity source exported over OTLP.
/// </summary>
internal static class TelemetrySetup
{
    public const string ServiceName = "cutover";

    /// <param name="configuration">
    /// The configuration being built: whether to trace must be known now, to register a tracer provider or none (a
    /// provider that listens makes every webhook build activities, exported or not). The values are validated with the
    /// rest of the options at start-up, which fails on a bad one before anything is exported.
    /// </param>
    public static void AddCutoverTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = new OtlpOptions();
        configuration.GetSection($"{CutoverOptions.SectionName}:{nameof(CutoverOptions.Telemetry)}:{nameof(TelemetryOptions.Otlp)}").Bind(otlp);
        var version = CutoverMetrics.BuildOf(typeof(TelemetrySetup).Assembly).Version;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(ServiceName, serviceVersion: version, autoGenerateServiceInstanceId: false)
                .AddDetector(static sp => new InstanceResourceDetector(sp.GetRequiredService<InstanceIdentity>())))
            .WithMetrics(static m => m
                .AddMeter(CutoverMetrics.MeterName)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());

        if (otlp.Enabled && ExporterOf(otlp) is { } exporter)
        {
            telemetry.WithTracing(t => t
                .AddSource(CutoverActivities.SourceName)
                .AddOtlpExporter(o =>
                {
                    o.Protocol = exporter.Protocol;
                    o.Endpoint = exporter.Endpoint;
                }));
        }
    }

    /// <summary>
    /// The exporter's protocol and endpoint; null for values start-up validation refuses. Set in code, an http/protobuf
    /// endpoint is used as it is, so the signal's path (<c>/v1/traces</c>) is added here, as the exporter adds it to
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
    /// </summary>
    internal static (OtlpExportProtocol Protocol, Uri Endpoint)? ExporterOf(OtlpOptions otlp)
    {
        if (!HttpUrlAttribute.IsHttpUrl(otlp.Endpoint))
        {
            return null;
        }

        return otlp.ProtocolOrDefault switch
        {
            OtlpOptions.Grpc => (OtlpExportProtocol.Grpc, new Uri(otlp.Endpoint!, UriKind.Absolute)),
            OtlpOptions.HttpProtobuf => (OtlpExportProtocol.HttpProtobuf, new Uri(otlp.Endpoint!.TrimEnd('/') + "/v1/traces", UriKind.Absolute)),
            _ => null,
        };
    }
}
