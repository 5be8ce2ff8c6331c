namespace Cutover.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for one test class (its tests run one after another; each takes a database of its
/// own, or stops the server without failing tests elsewhere). Where the binaries are missing the tests are skipped,
/// saying why. One source compiled into each test project that needs it (linked from their project files), since
/// <c>Cutover.Testing</c> does not take xunit.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private string? _problem;

    /// <summary>The cluster; skips the calling test when there is no PostgreSQL here.</summary>
    public PostgresCluster Cluster
    {
        get
        {
            if (_cluster is null)
            {
                Assert.Skip($"PostgreSQL tests skipped: {_problem}");
            }

            return _cluster;
        }
    }

    public async ValueTask InitializeAsync()
    {
        _problem = PostgresCluster.Unavailable();
        if (_problem is null)
        {
            _cluster = await PostgresCluster.StartNewAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
