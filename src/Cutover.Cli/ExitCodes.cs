using System.Net;
using Cutover.Core.Errors;

namespace Cutover.Cli;

/// <summary>Exit codes, from sysexits.h where one fits, so scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server refused the request (a bad value, a protected domain, …); the message says why.</summary>
    public const int Failure = 1;

    /// <summary><c>health</c>: a check warns or lacks data (also used for a refused request, <see cref="Failure"/>).</summary>
    public const int Warn = 1;

    /// <summary><c>health</c>: a check is critical.</summary>
    public const int Critical = 2;

    /// <summary>Bad command-line usage: an unknown verb, a missing or malformed argument.</summary>
    public const int Usage = 64;

    /// <summary>An input file is not what it must be (a payload that is not JSON).</summary>
    public const int DataError = 65;

    /// <summary>An input file does not exist or cannot be read.</summary>
    public const int NoInput = 66;

    /// <summary>The server cannot be reached.</summary>
    public const int Unavailable = 69;

    /// <summary>Something inside Cutover broke; a bug.</summary>
    public const int Software = 70;

    /// <summary><c>init</c>: the output file exists (and <c>--force</c> was not given) or cannot be written.</summary>
    public const int CantCreate = 73;

    /// <summary>The token is missing, unknown, or may not do this.</summary>
    public const int NoPermission = 77;

    /// <summary>The configuration is invalid.</summary>
    public const int Config = 78;

    /// <summary>
    /// The exit code for a refusal the server named: the one place that maps admin errors to exit codes. A refused
    /// token is <see cref="NoPermission"/>; every other refusal is <see cref="Failure"/> (the message says why).
    /// </summary>
    public static int Of(AdminError error) => error switch
    {
        AdminError.Unauthorized or AdminError.Forbidden => NoPermission,
        AdminError.InvalidRequest or AdminError.InvalidPercent or AdminError.ReasonRequired or AdminError.ReasonInvalid
            or AdminError.UnknownDomain or AdminError.ProtectedDomain or AdminError.InvalidUser or AdminError.InvalidOverride or AdminError.UnknownGate
            or AdminError.MalformedPayload or AdminError.PayloadTooLarge or AdminError.NotFound or AdminError.NoBaseline
            or AdminError.UnknownCommand or AdminError.NoLegacyTraffic or AdminError.RolloutActive or AdminError.RolloutRefused
            or AdminError.CriticalHealth or AdminError.StoreUnavailable or AdminError.TooManyStreams => Failure,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not an admin error"),
    };

    /// <summary>
    /// The exit code for a refusal: by its <c>error</c> when this CLI knows the name, else (a newer server, or something
    /// that is not Cutover) by the HTTP status.
    /// </summary>
    public static int OfRefusal(string? error, HttpStatusCode status) =>
        AdminErrors.TryParse(error, out var known) ? Of(known)
        : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? NoPermission
        : Failure;
}
