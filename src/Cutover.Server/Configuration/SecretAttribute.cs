namespace Cutover.Server.Configuration;

/// <summary>
/// Marks an option whose value is a credential (the app secret, a token, the hash key, a connection string, a
/// notification URL): a start-up problem about it names the key but never repeats the value. On a list or a map, the
/// same holds for each entry written as a single value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SecretAttribute : Attribute;
