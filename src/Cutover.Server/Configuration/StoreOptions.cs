using Cutover.Store;

namespace Cutover.Server.Configuration;

/// <summary><c>Store:*</c>: where state and logs are kept.</summary>
public sealed class StoreOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public StoreProvider Provider { get; set; } = CutoverDefaults.StoreProvider;

    /// <summary>
    /// For SQLite, <c>Data Source=cutover.db</c> (the default). May be <c>env:NAME</c>. Not empty: checked by the rules,
    /// whose message depends on the provider.
    /// </summary>
    [Secret]
    public string ConnectionString { get; set; } = CutoverDefaults.StoreConnectionString;

    /// <summary>How often to look for routing changes made by another instance or in SQL. Default 1 s.</summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00.05", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = CutoverDefaults.StorePollInterval;

    /// <summary>The provider's name as <see cref="StoreFactory"/> takes it.</summary>
    internal string ProviderName => Provider == StoreProvider.Postgres ? StoreFactory.Postgres : StoreFactory.Sqlite;
}
