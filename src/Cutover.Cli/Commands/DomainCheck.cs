using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli.Commands;

/// <summary>A <c>--domain</c> the server does not have is a usage error (exit 64), with the nearest configured name.</summary>
internal static class DomainCheck
{
    /// <summary>Throws a usage error unless <paramref name="domain"/> is configured on the server (<c>/admin/status</c> lists them).</summary>
    public static async Task EnsureConfiguredAsync(AdminClient admin, string domain, CancellationToken cancellationToken)
    {
        var status = await admin.GetAsync("admin/status", ServerJson.Default.StatusResponse, cancellationToken);
        if (status.Domains.ContainsKey(domain))
        {
            return;
        }

        var guess = NearestNames.DidYouMean(NearestNames.Find(domain, status.Domains.Keys));
        throw new CliException(ExitCodes.Usage,
            $"--domain: '{UnsafeText.Sanitize(domain)}' is not a configured domain; {(guess.Length > 0 ? guess + " " : string.Empty)}"
            + $"the domains are {string.Join(", ", status.Domains.Keys)}");
    }
}
