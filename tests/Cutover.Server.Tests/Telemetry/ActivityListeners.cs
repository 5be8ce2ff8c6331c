namespace Cutover.Server.Tests.Telemetry;

/// <summary>
/// Tests that add an <see cref="System.Diagnostics.ActivityListener"/> or a tracer provider run alone: a listener is
/// process-wide, so it would make every other test's forwards traced, and a test that a forward is not traced without
/// one would fail beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityListeners
{
    public const string Name = "Activity listeners";
}
