using Cutover.Server.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Configuration;

/// <summary>
/// The set-ups that start but leave a door open, worked out once from the options: the one list that start-up logs,
/// <c>GET /</c> lists among its findings, <c>GET /readyz</c> and <c>/admin/status</c> carry as <c>warnings</c>, and
/// <c>cutover status</c> prints.
/// </summary>
internal sealed class SecurityWarnings
{
    public SecurityWarnings(IOptions<CutoverOptions> options)
        : this(options.Value)
    {
    }

    public SecurityWarnings(CutoverOptions options)
    {
        if (string.IsNullOrEmpty(options.AppSecret))
        {
            UnsignedWebhooks = "webhooks are not signed: Cutover:AppSecret is empty, so no X-Hub-Signature-256 is checked and anyone "
                + "who can reach /webhook can inject traffic; set it to the Meta app's secret";
        }

        if (options.Admin.AllowUnauthenticated && options.Admin.Tokens.Count == 0)
        {
            UnauthenticatedAdmin = "the admin API needs no token: Cutover:Admin:AllowUnauthenticated is true and Cutover:Admin:Tokens "
                + "is empty, so anyone who can reach /admin can change routing unless something in front of Cutover authenticates it";
        }

        All = [.. new[] { UnsignedWebhooks, UnauthenticatedAdmin }.OfType<string>()];
    }

    /// <summary>Set when no app secret is configured.</summary>
    public string? UnsignedWebhooks { get; }

    /// <summary>Set when the admin API answers anyone without a token.</summary>
    public string? UnauthenticatedAdmin { get; }

    /// <summary>Every warning, as sentences; empty when there is nothing to say.</summary>
    public IReadOnlyList<string> All { get; }

    /// <summary>At start-up, each warning at Warning level with its own event id, so an alert can match on it.</summary>
    public void Log(ILogger logger)
    {
        if (UnsignedWebhooks is { } unsigned)
        {
            LogMessages.WebhooksUnsigned(logger, unsigned);
        }

        if (UnauthenticatedAdmin is { } open)
        {
            LogMessages.AdminUnauthenticated(logger, open);
        }
    }
}
