namespace Cutover.Server.Configuration;

/// <summary>
/// Resolves secrets written as <c>env:NAME</c> from the environment, so a config file can be committed
/// without them. A missing variable is reported by key and variable name, never by value.
/// </summary>
internal static class SecretResolver
{
    private const string Prefix = "env:";

    public static void Resolve(CutoverOptions options, List<string> problems, Func<string, string?> environment)
    {
        options.AppSecret = Resolve(options.AppSecret, "Cutover:AppSecret", problems, environment);
        options.VerifyToken = Resolve(options.VerifyToken, "Cutover:VerifyToken", problems, environment);
        options.Store.ConnectionString = Resolve(options.Store.ConnectionString, "Cutover:Store:ConnectionString", problems, environment) ?? string.Empty;
        options.Privacy.HashKey = Resolve(options.Privacy.HashKey, "Cutover:Privacy:HashKey", problems, environment);
        for (var i = 0; i < options.Admin.Tokens.Count; i++)
        {
            var token = options.Admin.Tokens[i];
            token.Token = Resolve(token.Token, $"Cutover:Admin:Tokens:{i}:Token", problems, environment);
        }
    }

    private static string? Resolve(string? value, string key, List<string> problems, Func<string, string?> environment)
    {
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return value;
        }

        var name = value[Prefix.Length..].Trim();
        if (name.Length == 0)
        {
            problems.Add($"{key}: 'env:' must be followed by an environment variable name");
            return null;
        }

        var resolved = environment(name);
        if (string.IsNullOrEmpty(resolved))
        {
            problems.Add($"{key} refers to environment variable {name}, which is not set");
            return null;
        }

        return resolved;
    }
}
