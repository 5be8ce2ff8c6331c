using System.Text.Json;

namespace Cutover.Server.Contracts;

/// <summary>One row of <c>GET /admin/rollbacks</c> (the runbooks' <c>migration_rollbacks</c>), metrics as stored.</summary>
public sealed record RollbackView(
    long Id, DateTimeOffset At, string Phase, string? Domain, decimal FromPercent, decimal ToPercent, string Reason, string RolledBackBy,
    JsonElement Metrics);
