namespace Cutover.EndToEnd.Tests.Support;

/// <summary>
/// Tests that load both cores for a minute (the fuzz test): they run after the others, alone, so tests that assert
/// timings (a change reaching the router within a second) do not share the machine with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
