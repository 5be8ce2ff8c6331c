using System.Data.Common;

namespace Cutover.Store.Sql;

/// <summary>
/// The few ADO.NET steps every statement of the store takes, on either driver: a command with its parameters, run
/// for a count, a value or rows. Parameters are named without a prefix and written <c>@name</c> in the SQL, which both
/// Microsoft.Data.Sqlite and Npgsql take; a null value is sent as SQL NULL.
/// </summary>
internal static class SqlCommands
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            // A value whose type the driver must be told (PostgreSQL's jsonb) comes as a parameter of its own.
            var parameter = value as DbParameter ?? command.CreateParameter();
            if (!ReferenceEquals(parameter, value))
            {
                parameter.Value = value ?? DBNull.Value;
            }

            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static async Task<int> ExecuteAsync(
        this DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(
        this DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public static async Task<List<T>> ListAsync<T>(
        this DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        await using var command = connection.Command(transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The first row read, or null when there is none.</summary>
    public static async Task<T?> FirstOrDefaultAsync<T>(
        this DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        params (string, object?)[] parameters) where T : class
    {
        await using var command = connection.Command(transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    /// <summary>
    /// Runs a <c>DELETE … LIMIT</c> statement until it deletes nothing: slices of one short transaction each, so writers
    /// are never held up for long. <c>@before</c> is bound to <paramref name="before"/>.
    /// </summary>
    public static async Task<long> DeleteInSlicesAsync(this DbConnection connection, string sql, object before, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(null, sql, ("before", before));
        long total = 0;
        int deleted;
        do
        {
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted > 0);

        return total;
    }

    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
