namespace Cutover.Server.Tests;

/// <summary>
/// Tests that drive a router with real traffic on the wall clock for half a minute or more and assert what happened
/// in time (a rollback within 15 s, every webhook answered 200): they run after the parallel tests, alone, so the
/// dozens of servers other classes start on the shared 2-core machine do not stretch their requests past the
/// upstream timeout, and their own load does not slow the others'.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
