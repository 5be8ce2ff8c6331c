using System.Text.Json;
using Cutover.Core.Health;

namespace Cutover.Store.Sql;

/// <summary>Baselines (the runbooks' "record these before migration") and the last health verdict (<c>cutover_health</c>, id 1).</summary>
internal abstract partial class SqlStore
{
    public Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        var id = await connection.ScalarAsync(null, """
            INSERT INTO cutover_baselines (captured_at, window_seconds, actor, reason, domains, total)
            VALUES (@at, @window, @actor, @reason, @domains, @total)
            RETURNING id
            """, cancellationToken,
            ("at", Time(baseline.CapturedAt)), ("window", (long)baseline.Window.TotalSeconds), ("actor", baseline.Actor), ("reason", baseline.Reason),
            ("domains", Json(JsonSerializer.Serialize([.. baseline.Domains], StoreJson.Default.ListBaselineDomain))),
            ("total", Json(JsonSerializer.Serialize(baseline.Total, StoreJson.Default.BaselineDomain))));
        return baseline with { Id = (long)id! };
    }, cancellationToken);

    public async Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.FirstOrDefaultAsync(null, """
            SELECT id, captured_at, window_seconds, actor, reason, domains, total FROM cutover_baselines ORDER BY id DESC LIMIT 1
            """, r => new Baseline(
                r.GetInt64(0),
                ReadTime(r, 1),
                TimeSpan.FromSeconds(r.GetInt64(2)),
                r.GetString(3),
                r.GetString(4),
                JsonSerializer.Deserialize(r.GetString(5), StoreJson.Default.ListBaselineDomain) ?? [],
                JsonSerializer.Deserialize(r.GetString(6), StoreJson.Default.BaselineDomain) ?? throw new StoreException("a stored baseline has no total")),
            cancellationToken);
    }

    public Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken) => WriteAsync(connection =>
        connection.ExecuteAsync(null, """
            INSERT INTO cutover_health (id, instance, evaluated_at, state, checks) VALUES (1, @instance, @at, @state, @checks)
            ON CONFLICT (id) DO UPDATE SET instance = excluded.instance, evaluated_at = excluded.evaluated_at,
                state = excluded.state, checks = excluded.checks
            """, cancellationToken,
            ("instance", snapshot.Instance), ("at", Time(snapshot.Report.At)), ("state", snapshot.Report.State.ToName()),
            ("checks", Json(StoredHealthCheck.ToJson(snapshot.Report)))), cancellationToken);

    public async Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.FirstOrDefaultAsync(null, "SELECT instance, evaluated_at, state, checks FROM cutover_health WHERE id = 1",
            r => StoredHealthCheck.ToSnapshot(r.GetString(0), ReadTime(r, 1), r.GetString(2), r.GetString(3)), cancellationToken);
    }
}
