using System.Security.Cryptography;
using System.Text;
using Cutover.Server.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Cutover.Server.HotPath;

/// <summary>
/// Meta's verification GET: <c>?hub.mode=subscribe&amp;hub.verify_token=…&amp;hub.challenge=…</c>. Echo the
/// challenge as text when the token matches (compared in constant time); 403 otherwise.
/// </summary>
internal sealed class VerifyHandshake(IOptions<CutoverOptions> options)
{
    private const int MaxChallengeLength = 1024;
    private readonly byte[]? _token = options.Value.VerifyToken is { Length: > 0 } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;

    public IResult Handle(HttpContext context)
    {
        var query = context.Request.Query;
        string? mode = query["hub.mode"];
        string? token = query["hub.verify_token"];
        string? challenge = query["hub.challenge"];

        if (_token is null)
        {
            return Forbidden("no verify token is configured (Cutover:VerifyToken), so no subscription can be verified");
        }

        if (mode != "subscribe")
        {
            return Forbidden("hub.mode must be subscribe");
        }

        if (string.IsNullOrEmpty(challenge) || challenge.Length > MaxChallengeLength)
        {
            return Forbidden($"hub.challenge must be 1 to {MaxChallengeLength} characters");
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty));
        if (!CryptographicOperations.FixedTimeEquals(given, _token))
        {
            return Forbidden("hub.verify_token does not match Cutover:VerifyToken");
        }

        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Text(challenge, "text/plain; charset=utf-8");
    }

    private static IResult Forbidden(string message) =>
        Results.Json(new Contracts.ErrorBody("verification_failed", message), Contracts.ServerJson.Default.ErrorBody, statusCode: StatusCodes.Status403Forbidden);
}
