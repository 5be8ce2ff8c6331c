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

    /// <summary>The token is missing, unknown, or may not do this.</summary>
    public const int NoPermission = 77;

    /// <summary>The configuration is invalid.</summary>
    public const int Config = 78;
}
