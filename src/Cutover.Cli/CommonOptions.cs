using System.CommandLine;

namespace Cutover.Cli;

/// <summary>Options every verb that talks to a server understands: where it is, the token, and JSON output.</summary>
internal sealed class CommonOptions
{
    public const string UrlVariable = "CUTOVER_URL";
    public const string TokenVariable = "CUTOVER_ADMIN_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The Cutover server's address [env: {UrlVariable}; default {DefaultUrl}]",
        Recursive = true,
        HelpName = "URL",
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = $"An admin bearer token [env: {TokenVariable}]; not needed on loopback when the server has no tokens",
        Recursive = true,
        HelpName = "TOKEN",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts instead of tables",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }

    /// <summary>The server address: --url, else CUTOVER_URL, else the default. Must be an absolute http(s) URL.</summary>
    public Uri ServerUrl(ParseResult parse)
    {
        var text = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(ExitCodes.Usage, $"--url: '{text}' is not an http:// or https:// address");
        }

        return url;
    }

    public string? TokenValue(ParseResult parse)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable);
        return string.IsNullOrWhiteSpace(token) ? null : token.Trim();
    }
}
