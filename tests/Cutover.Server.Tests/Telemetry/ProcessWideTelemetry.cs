namespace Cutover.Server.Tests.Telemetry;

/// <summary>
/// Tests that read telemetry run alone, because what they listen with is process-wide. An
/// <see cref="System.Diagnostics.ActivityListener"/> would make every other test's forwards traced (and a test that a
/// forward is not traced without one would fail beside them). A meter provider subscribes to every meter named
/// <c>Cutover</c> in the process, so beside other routers a scrape shows their series too, each twice over.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetry
{
    public const string Name = "Process-wide telemetry";
}
