namespace Cutover.EndToEnd.Tests.Support;

/// <summary>
/// Tests that load both cores for a minute (the fuzz test): they run after the others, alone, so tests that assert
/// timings (a new rollout leader within 3 s of the old one's death) do not share the machine with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
