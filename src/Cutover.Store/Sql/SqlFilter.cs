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

    /// <summary>
    /// Adds <c>column IN (@name0, @name1, …)</c>, one parameter per value, unless <paramref name="values"/> is null: the
    /// statement depends on the number of values only, never on what they are.
    /// </summary>
    public SqlFilter AndAmong(string column, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return this;
        }

        if (values.Count == 0)
        {
            _conditions.Add("1 = 0");
            return this;
        }

        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = "@" + name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _parameters.Add((names[i][1..], values[i]));
        }

        _conditions.Add($"{column} IN ({string.Join(", ", names)})");
        return this;
    }

    /// <summary>Adds <paramref name="condition"/>, which reads no parameter of its own beyond <c>@name</c>, when <paramref name="when"/> holds.</summary>
    public SqlFilter AndIf(bool when, string condition, string name, object value) => when ? And(condition, name, value) : this;

    /// <summary>These conditions' parameters, then <paramref name="others"/>.</summary>
    public (string, object?)[] Parameters(params (string, object?)[] others) => [.. _parameters, .. others];

    /// <summary><c>WHERE …</c>, or nothing when no condition applies.</summary>
    public override string ToString() => _conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", _conditions);
}
