namespace Cutover.Server.Configuration;

/// <summary><c>Store:*</c>: where state and logs are kept.</summary>
public sealed class StoreOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = CutoverDefaults.StoreProvider;

    /// <summary>For SQLite, <c>Data Source=cutover.db</c> (the default). May be <c>env:NAME</c>.</summary>
    public string ConnectionString { get; set; } = CutoverDefaults.StoreConnectionString;

    /// <summary>How often to look for routing changes made by another instance or in SQL. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = CutoverDefaults.StorePollInterval;
}
