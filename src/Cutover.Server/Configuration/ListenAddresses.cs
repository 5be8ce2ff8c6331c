using System.Net;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Configuration;

/// <summary>
/// <c>Listen</c> as Kestrel reads it: one URL or several separated by <c>;</c>, each <c>http://</c> or <c>https://</c> with
/// a host that is an IP address, <c>localhost</c>, a name, or <c>*</c> / <c>+</c> (every interface).
/// </summary>
internal static class ListenAddresses
{
    /// <summary>The URLs of <paramref name="listen"/>, and the problem of each that is not one Kestrel can bind.</summary>
    public static (List<(string Text, BindingAddress Address)> Addresses, List<string> Problems) Parse(string? listen)
    {
        var addresses = new List<(string Text, BindingAddress Address)>();
        var problems = new List<string>();
        var parts = (listen ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            problems.Add($"'{listen}' is not an http:// or https:// URL");
        }

        foreach (var part in parts)
        {
            BindingAddress? address = null;
            try
            {
                address = BindingAddress.Parse(part);
            }
            catch (FormatException)
            {
            }

            if (address is null || address.Scheme is not ("http" or "https") || (!address.IsUnixPipe && !address.IsNamedPipe && address.Host.Length == 0))
            {
                problems.Add($"'{part}' is not an http:// or https:// URL");
            }
            else
            {
                addresses.Add((part, address));
            }
        }

        return (addresses, problems);
    }

    /// <summary>
    /// Whether only this machine can connect: <c>localhost</c>, a loopback IP (127.0.0.0/8, ::1), or a Unix socket. Kestrel
    /// binds any other host name, like <c>*</c>, <c>+</c>, <c>0.0.0.0</c> and <c>::</c>, on every interface.
    /// </summary>
    public static bool IsLoopback(BindingAddress address)
    {
        if (address.IsUnixPipe || address.IsNamedPipe)
        {
            return true;
        }

        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!IPAddress.TryParse(address.Host.AsSpan().Trim("[]"), out var ip))
        {
            return false;
        }

        return IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
    }
}
