namespace Cutover.Server.Configuration;

/// <summary><c>Ingress:*</c>: limits on what Meta (or anyone) may POST.</summary>
public sealed class IngressOptions
{
    /// <summary>Largest accepted body; larger gets 413. Default 4 MiB (Meta sends up to 3 MB).</summary>
    [ConfigRange(1024, CutoverDefaults.MaxBodyBytesLimit, Why = "Meta sends up to 3 MB")]
    public int MaxBodyBytes { get; set; } = CutoverDefaults.MaxBodyBytes;
}
