using Cutover.Server.Cluster;
using OpenTelemetry.Resources;

namespace Cutover.Server.Telemetry;

/// <summary>
/// <c>service.instance.id</c> is the instance's id among those sharing a store (<see cref="InstanceIdentity"/>), the one
/// <c>/admin/status</c> and the leases show, so that a trace or a series leads to the same instance as the CLI does.
/// </summary>
internal sealed class InstanceResourceDetector(InstanceIdentity instance) : IResourceDetector
{
    public Resource Detect() => new([new KeyValuePair<string, object>("service.instance.id", instance.Id)]);
}
