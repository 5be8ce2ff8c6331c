namespace Cutover.Cli.Demo;

/// <summary>Whether a domain is moved by the rollout, never moved (protected), or the fallback for unmatched traffic.</summary>
internal enum DomainRole
{
    Routable,
    Protected,
    Fallback,
}
