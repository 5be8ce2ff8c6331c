using Cutover.Core.Routing;

namespace Cutover.Store;

/// <summary>
/// Which decisions to read: at most <see cref="Limit"/> in [Since, Until), optionally of one (protected) user key or of
/// any of <see cref="UserKeys"/> (every stored form of one person), of one domain or route, only those that failed or
/// fell back (<see cref="ErrorsOnly"/>), and only those after the row id <see cref="After"/> (a cursor).
/// </summary>
public sealed record DecisionQuery(int Limit = 100, DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? UserKey = null)
{
    /// <summary>The most user keys one query takes: one person's identifiers are a handful.</summary>
    public const int MaxUserKeys = 32;

    /// <summary>Any of these user keys (protected as stored); null for any user. At most <see cref="MaxUserKeys"/>.</summary>
    public IReadOnlyList<string>? UserKeys { get; init; }

    /// <summary>Only this domain's decisions.</summary>
    public string? Domain { get; init; }

    /// <summary>Only decisions routed this way.</summary>
    public Route? Route { get; init; }

    /// <summary>Only decisions whose update failed or fell back.</summary>
    public bool ErrorsOnly { get; init; }

    /// <summary>Only decisions whose row id is greater: a cursor from an earlier <see cref="DecisionPage.Cursor"/>.</summary>
    public long? After { get; init; }
}
