using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Server.Configuration;

/// <summary><c>Store:Provider</c> (<c>sqlite</c>, <c>postgres</c>): which store keeps the routing state, the audit trail and the logs.</summary>
[TypeConverter(typeof(EnumNameConverter<StoreProvider>))]
public enum StoreProvider
{
    /// <summary><c>sqlite</c>: one SQLite file, opened by one process.</summary>
    Sqlite = 0,

    /// <summary><c>postgres</c>: a PostgreSQL database, shared by any number of instances.</summary>
    Postgres = 1,
}
