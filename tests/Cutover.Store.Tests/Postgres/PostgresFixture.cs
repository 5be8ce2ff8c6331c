using Cutover.Testing;

[assembly: AssemblyFixture(typeof(Cutover.Store.Tests.Postgres.PostgresFixture))]

namespace Cutover.Store.Tests.Postgres;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test assembly (starting one costs about a second); each test gets
/// a database of its own. Where the binaries are missing every PostgreSQL test is skipped, saying why.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private string? _problem;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException(_problem);

    public async ValueTask InitializeAsync()
    {
        _problem = PostgresCluster.Unavailable();
        if (_problem is null)
        {
            _cluster = await PostgresCluster.StartNewAsync(CancellationToken.None);
        }
    }

    /// <summary>A fresh database's connection string; skips the calling test when there is no PostgreSQL here.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        if (_cluster is null)
        {
            Assert.Skip($"PostgreSQL tests skipped: {_problem}");
        }

        return await _cluster.CreateDatabaseAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
