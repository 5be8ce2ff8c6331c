using System.Security.Cryptography;

namespace Cutover.Server.Cluster;

/// <summary>
/// Who this process is among the instances sharing a store: host name, process id and a short random part. The random
/// part tells apart two servers in one process (tests, the demo) and a restarted process that got the same pid.
/// </summary>
internal sealed class InstanceIdentity
{
    public InstanceIdentity()
        : this($"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}")
    {
    }

    public InstanceIdentity(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    public string Id { get; }

    public override string ToString() => Id;
}
