namespace Cutover.Store.Sql;

/// <summary>
/// The optional conditions of a query, each with its parameter: only the conditions that apply are written, so no
/// statement asks <c>@since IS NULL</c> (which PostgreSQL cannot type) and each one can use its index.
/// </summary>
internal sealed class SqlFilter
{
    private readonly List<string> _conditions = [];
    private readonly List<(string, object?)> _parameters = [];

    /// <summary>Adds <paramref name="condition"/>, which reads <c>@name</c>, unless <paramref name="value"/> is null.</summary>
    public SqlFilter And(string condition, string name, object? value)
    {
        if (value is not null)
        {
            _conditions.Add(condition);
            _parameters.Add((name, value));
        }

        return this;
    }

    /// <summary>These conditions' parameters, then <paramref name="others"/>.</summary>
    public (string, object?)[] Parameters(params (string, object?)[] others) => [.. _parameters, .. others];

    /// <summary><c>WHERE …</c>, or nothing when no condition applies.</summary>
    public override string ToString() => _conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", _conditions);
}
