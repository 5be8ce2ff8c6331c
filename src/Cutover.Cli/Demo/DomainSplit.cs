namespace Cutover.Cli.Demo;

/// <summary>One domain's updates per route over some window, and what the router may do with it.</summary>
internal sealed record DomainSplit(string Domain, DomainRole Role, long Legacy, long Unified)
{
    public long Total => Legacy + Unified;

    public double? UnifiedPct => Total == 0 ? null : 100.0 * Unified / Total;
}
